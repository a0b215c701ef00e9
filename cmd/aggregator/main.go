// Command aggregator runs the aggregation side of opswarehouse. The first
// argument names a subcommand:
//
//	aggregator fingerprint   stdin messages -> "<id>\t<template>" lines
//	aggregator run           evaluate the detectors every minute, write findings, alert
//	aggregator eval          score the detectors on a simulated incident mix
//	aggregator bench-detect  time the detector cycle over 10M and 100M backfilled events
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/opswarehouse/opswarehouse/aggregator/fingerprint"
)

const usage = `usage: aggregator <command>

commands:
  fingerprint   read one message per line on stdin, write "<id>\t<template>" per line
  run           evaluate the detectors every minute, write findings to ClickHouse, send alerts
  eval          simulate the default incident mix through the pipeline and score the detectors
  bench-detect  time the detector cycle over backfilled databases of growing size
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "fingerprint":
		err = fingerprint.RunCLI(ctx, stdin, stdout)
	case "run":
		err = runService(ctx, args[1:], stderr)
	case "eval":
		err = runEval(ctx, args[1:], stdout, stderr)
	case "bench-detect":
		err = runBenchDetect(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "aggregator: unknown command %q\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "aggregator %s: %v\n", args[0], err)
		return 1
	}
	return 0
}
