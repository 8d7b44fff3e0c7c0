package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/kanmon/kanmon/api/store"
)

func migrateCmd(ctx context.Context, args []string, e env) error {
	var c config
	fs := newFlagSet("migrate", e.getenv)
	fs.SetOutput(e.stderr)
	c.storageFlags(fs)
	if err := fs.parse(args); err != nil {
		return err
	}
	st, err := store.Open(c.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(e.stdout, "database is up to date")
		return nil
	}
	fmt.Fprintln(e.stdout, "applied:", strings.Join(applied, ", "))
	return nil
}
