// Command kanmon is the Kanmon sign-in gate: `kanmon serve` runs the server,
// `kanmon migrate` applies the schema, `kanmon user …` manages users from a shell.
// Settings come from flags and KANMON_* environment variables; see README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `kanmon — the sign-in gate

usage:
  kanmon serve   [flags]            run the server (applies migrations first)
  kanmon migrate [flags]            apply database migrations
  kanmon user add [--email ADDR] [--password-stdin] NAME
  kanmon user list | show NAME | disable NAME | enable NAME | reset-mfa NAME

Run "kanmon COMMAND -h" for the flags of a command.
`

// env is what a command gets from the process, so tests run commands in-process.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := env{getenv: os.Getenv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}
	if err := run(ctx, os.Args[1:], e); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "kanmon:", err)
		}
		os.Exit(exitCode(err))
	}
}

// usageError is a mistake in the command line (exit code 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func exitCode(err error) int {
	var ue usageError
	if errors.As(err, &ue) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

func run(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return usageError{"no command"}
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], e)
	case "migrate":
		return migrateCmd(ctx, args[1:], e)
	case "user":
		return userCmd(ctx, args[1:], e)
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, usage)
		return nil
	}
	fmt.Fprint(e.stderr, usage)
	return usageError{"unknown command " + args[0]}
}
