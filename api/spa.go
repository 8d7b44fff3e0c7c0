package api

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kanmon/kanmon/api/auth"
)

// staticFile is what is known of one file of the SPA before any request: its
// ETag and which precompressed siblings (.br, .gz) exist.
type staticFile struct {
	etag        string
	contentType string
	encodings   []sibling // best first
}

// sibling is a precompressed copy of a file.
type sibling struct{ ext, encoding string }

// staticFiles indexes the embedded SPA. Files are served straight from the
// embedded FS, never copied to the heap.
type staticFiles struct {
	fsys  fs.FS
	files map[string]staticFile
}

var precompressed = []sibling{{".br", "br"}, {".gz", "gzip"}}

func newStaticFiles(fsys fs.FS) (*staticFiles, error) {
	sf := &staticFiles{fsys: fsys, files: map[string]staticFile{}}
	if fsys == nil {
		return sf, nil
	}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".br") || strings.HasSuffix(p, ".gz") {
			return err
		}
		f := staticFile{contentType: mime.TypeByExtension(path.Ext(p))}
		if f.etag, err = etagOf(fsys, p); err != nil {
			return err
		}
		for _, pc := range precompressed {
			if _, err := fs.Stat(fsys, p+pc.ext); err == nil {
				f.encodings = append(f.encodings, pc)
			}
		}
		sf.files[p] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("index spa: %w", err)
	}
	return sf, nil
}

func etagOf(fsys fs.FS, p string) (string, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return `"` + base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:12]) + `"`, nil
}

// serveSPA serves the embedded SPA: files by path (precompressed when the client
// accepts it), and index.html for any other path without an extension, so the
// SPA's own routes survive a reload. Vite's hashed assets are cached for a year;
// everything else is revalidated.
func (s *Server) serveSPA(files *staticFiles) echo.HandlerFunc {
	return func(c echo.Context) error {
		p := strings.TrimPrefix(path.Clean("/"+c.Param("*")), "/")
		f, ok := files.files[p]
		if !ok {
			if path.Ext(p) != "" {
				return auth.ErrNotFound
			}
			p = "index.html"
			if f, ok = files.files[p]; !ok {
				return auth.ErrNotFound
			}
		}
		h := c.Response().Header()
		if strings.HasPrefix(p, "assets/") {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		h.Set("ETag", f.etag)
		h.Set(echo.HeaderContentType, f.contentType)
		name := p
		if len(f.encodings) > 0 {
			h.Add("Vary", "Accept-Encoding")
			accepted := c.Request().Header.Get("Accept-Encoding")
			for _, sib := range f.encodings {
				if strings.Contains(accepted, sib.encoding) {
					name += sib.ext
					h.Set("Content-Encoding", sib.encoding)
					break
				}
			}
		}
		file, err := files.fsys.Open(name)
		if err != nil {
			return fmt.Errorf("open %s: %w", name, err)
		}
		defer file.Close()
		rs, ok := file.(io.ReadSeeker)
		if !ok {
			return fmt.Errorf("embedded %s is not seekable", name)
		}
		http.ServeContent(c.Response(), c.Request(), "", time.Time{}, rs)
		return nil
	}
}
