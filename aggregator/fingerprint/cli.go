package fingerprint

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// cliBufferBytes sizes the input and output buffers of RunCLI.
const cliBufferBytes = 64 << 10

// RunCLI reads one message per line from in and writes, for every input line
// (empty ones included), exactly one line "<id>\t<template>" to out, where id
// is the decimal uint64 fingerprint ID(template). The input is one stream,
// so templates go through Aliases: a message whose template is an instance
// of a more general one seen earlier in the stream is written with that
// template and its id. Lines of any length are accepted: only the prefix
// that Fingerprint looks at is kept in memory. A final line without a
// newline counts as a line.
func RunCLI(ctx context.Context, in io.Reader, out io.Writer) error {
	f := New(Config{})
	aliases := NewAliases()
	r := bufio.NewReaderSize(in, cliBufferBytes)
	w := bufio.NewWriterSize(out, cliBufferBytes)
	var line, rec []byte
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("fingerprinting input: %w", err)
			}
		}
		// Flush before a read that may block, so interactive use sees
		// its answers; a busy pipe flushes only when the buffer fills.
		if r.Buffered() == 0 {
			if err := w.Flush(); err != nil {
				return fmt.Errorf("writing output: %w", err)
			}
		}
		var ok bool
		var err error
		line, ok, err = readLine(r, line[:0], MaxMessageBytes+1)
		if err != nil {
			return fmt.Errorf("reading input line %d: %w", n+1, err)
		}
		if !ok {
			break
		}
		id, template := aliases.Resolve(f.Fingerprint(string(line)))
		rec = strconv.AppendUint(rec[:0], id, 10)
		rec = append(rec, '\t')
		rec = append(rec, template...)
		rec = append(rec, '\n')
		if _, err := w.Write(rec); err != nil {
			return fmt.Errorf("writing output: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	return nil
}

// readLine reads the next line without its newline into buf, keeping at most
// limit bytes and discarding the rest of a longer line. ok is false at the
// end of input when no line was started.
func readLine(r *bufio.Reader, buf []byte, limit int) (line []byte, ok bool, err error) {
	started := false
	for {
		chunk, err := r.ReadSlice('\n')
		started = started || len(chunk) > 0
		if err == nil {
			chunk = chunk[:len(chunk)-1]
		}
		if room := limit - len(buf); room > 0 {
			buf = append(buf, chunk[:min(room, len(chunk))]...)
		}
		switch {
		case err == nil:
			return buf, true, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			return buf, started, nil
		default:
			return buf, false, err
		}
	}
}
