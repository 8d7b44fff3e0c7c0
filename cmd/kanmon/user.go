package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kanmon/kanmon/api/auth"
	"github.com/kanmon/kanmon/api/store"
)

const userUsage = `usage:
  kanmon user add [--email ADDR] [--password-stdin] NAME
  kanmon user list
  kanmon user show NAME
  kanmon user disable NAME
  kanmon user enable NAME
  kanmon user reset-mfa NAME
`

// cliActor is how changes made from the shell appear in the audit log.
var cliActor = auth.Actor{Name: "cli"}

func userCmd(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, userUsage)
		return usageError{"user: no subcommand"}
	}
	sub := args[0]
	var c config
	fs := newFlagSet("user "+sub, e.getenv)
	fs.SetOutput(e.stderr)
	c.storageFlags(fs)
	c.hashFlags(fs)
	email := fs.String("email", "", "e-mail address for codes (add)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin instead of generating one (add)")
	if err := fs.parse(args[1:]); err != nil {
		return err
	}
	wantArgs := 1
	if sub == "list" {
		wantArgs = 0
	}
	if fs.NArg() != wantArgs {
		fmt.Fprint(e.stderr, userUsage)
		return usageError{"user " + sub + ": wrong number of arguments"}
	}
	name := fs.Arg(0)

	svc, st, err := openService(ctx, &c)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "add":
		return userAdd(ctx, svc, name, *email, *fromStdin, e)
	case "list":
		users, err := svc.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tEMAIL\tSTATUS\tCREATED")
		for _, u := range users {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Username, u.Email, status(u), u.CreatedAt.Format(time.DateTime))
		}
		return tw.Flush()
	case "show":
		u, err := svc.User(ctx, name)
		if err != nil {
			return userError(err, name)
		}
		fmt.Fprintf(e.stdout, "name:    %s\nemail:   %s\nstatus:  %s\ncreated: %s\n", u.Username, u.Email, status(*u), u.CreatedAt.Format(time.RFC3339))
		return nil
	case "disable", "enable":
		if err := svc.SetDisabled(ctx, name, sub == "disable", cliActor); err != nil {
			return userError(err, name)
		}
		fmt.Fprintf(e.stdout, "%sd %s\n", sub, auth.FoldUsername(name))
		return nil
	case "reset-mfa":
		if err := svc.ResetMFA(ctx, name, cliActor); err != nil {
			return userError(err, name)
		}
		fmt.Fprintf(e.stdout, "second factors of %s removed; the next login sets up an authenticator app\n", auth.FoldUsername(name))
		return nil
	}
	fmt.Fprint(e.stderr, userUsage)
	return usageError{"unknown user subcommand " + sub}
}

func userAdd(ctx context.Context, svc *auth.Service, name, email string, fromStdin bool, e env) error {
	password, generated := "", !fromStdin
	if fromStdin {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("user add: no password on stdin")
		}
		password = strings.TrimRight(line, "\r\n")
	} else {
		password = rand.Text() // 26 base32 characters: 128 bits
	}
	u, err := svc.CreateUser(ctx, auth.NewUser{Username: name, Email: email, Password: password}, cliActor)
	if err != nil {
		return userError(err, name)
	}
	fmt.Fprintf(e.stdout, "created user %s\n", u.Username)
	if generated {
		fmt.Fprintf(e.stdout, "password (shown once): %s\n", password)
	}
	return nil
}

// userError makes domain errors read well on a terminal.
func userError(err error, name string) error {
	var de *auth.Error
	switch {
	case errors.Is(err, auth.ErrNotFound):
		return fmt.Errorf("no user named %s", auth.FoldUsername(name))
	case errors.As(err, &de):
		return errors.New(de.Message)
	}
	return err
}

func status(u auth.User) string {
	if u.Disabled {
		return "disabled"
	}
	return "active"
}

// openService opens and migrates the database and builds the domain service
// for commands that manage users (they never touch TOTP secrets).
func openService(ctx context.Context, c *config) (*auth.Service, *store.Store, error) {
	st, err := openStore(ctx, c.DatabaseURL)
	if err != nil {
		return nil, nil, err
	}
	h, err := auth.NewHasher(c.Argon2, c.HashSlots, c.HashWait)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return auth.New(st, h, nil, auth.DefaultConfig(), utcNow), st, nil
}

// openStore opens the database and applies any pending migrations.
func openStore(ctx context.Context, url string) (*store.Store, error) {
	st, err := store.Open(url)
	if err != nil {
		return nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// utcNow is the clock of the running system, in UTC and at the microsecond
// precision both databases keep.
func utcNow() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
