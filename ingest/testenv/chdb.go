package testenv

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

//go:embed chdb_worker.py
var chdbWorker string

// chdbTimeout bounds one Exec; the engine is local, so only a hang gets near.
const chdbTimeout = 5 * time.Minute

// ChdbSession runs SQL on current ClickHouse through chdb, in a Python
// worker process that lives as long as the test. The session's directory
// belongs to the test, so databases and tables persist across statements
// and across Exec calls, and no two sessions see each other's.
type ChdbSession struct {
	// Python is the interpreter that has chdb installed.
	Python string
	// Format is the output format of every statement; default TabSeparated.
	Format  string
	Version Version

	mu      sync.Mutex // one request at a time on the worker's pipes
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	replies *bufio.Reader
	stderr  *tailBuffer
	dead    error
}

// Chdb starts a session with $OPSW_CHDB_PYTHON (default
// <repo>/.services/py/bin/python) and stops it at the test's cleanup.
func Chdb(tb testing.TB) *ChdbSession {
	tb.Helper()
	python := os.Getenv("OPSW_CHDB_PYTHON")
	if python == "" {
		python = filepath.Join(RepoRoot(tb), ".services", "py", "bin", "python")
	}
	s := &ChdbSession{Python: python, Format: "TabSeparated"}
	err := s.start(filepath.Join(tb.TempDir(), "session"))
	if err != nil {
		unavailable(tb, "chdb", python, err)
		return nil
	}
	tb.Cleanup(s.stop)
	return s
}

func (s *ChdbSession) start(dir string) error {
	replies, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("creating reply pipe: %w", err)
	}
	defer w.Close() // the worker holds its own copy
	// -I: isolated mode, so neither the working directory (a package with a
	// chdb.py, say) nor PYTHON* variables change what "import chdb" loads.
	s.cmd = exec.Command(s.Python, "-I", "-c", chdbWorker, dir)
	s.cmd.Dir = filepath.Dir(dir)
	s.cmd.ExtraFiles = []*os.File{w} // fd 3
	s.stderr = &tailBuffer{max: 64 << 10}
	s.cmd.Stdout, s.cmd.Stderr = s.stderr, s.stderr
	if s.stdin, err = s.cmd.StdinPipe(); err != nil {
		replies.Close()
		return fmt.Errorf("creating stdin pipe: %w", err)
	}
	if err := s.cmd.Start(); err != nil {
		replies.Close()
		return fmt.Errorf("starting %s: %w", s.Python, err)
	}
	s.replies = bufio.NewReader(replies)

	var hello struct{ Version, Error string }
	if err := s.read(&hello); err != nil {
		s.stop()
		return err
	}
	if hello.Error != "" {
		s.stop()
		return errors.New(hello.Error)
	}
	if s.Version, err = ParseVersion(hello.Version); err != nil {
		s.stop()
		return err
	}
	return nil
}

// read decodes the worker's next reply, giving up after chdbTimeout.
func (s *ChdbSession) read(v any) error {
	type result struct {
		line []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		line, err := s.replies.ReadBytes('\n')
		done <- result{line, err}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), chdbTimeout)
	defer cancel()
	select {
	case r := <-done:
		if r.err != nil {
			return s.died(r.err)
		}
		if err := json.Unmarshal(r.line, v); err != nil {
			return fmt.Errorf("decoding chdb reply %q: %w", r.line, err)
		}
		return nil
	case <-ctx.Done():
		_ = s.cmd.Process.Kill()
		return s.died(fmt.Errorf("no reply in %s", chdbTimeout))
	}
}

func (s *ChdbSession) died(err error) error {
	s.dead = fmt.Errorf("chdb worker (%s) failed: %w\n%s", s.Python, err, s.stderr.String())
	return s.dead
}

// Exec runs the statements in order and returns their concatenated output.
// When the engine rejects a statement, Exec returns the output so far and an
// error carrying the engine's message, prefixed with the statement's 1-based
// index; the statements after it do not run. A failure of the worker itself
// fails the test.
func (s *ChdbSession) Exec(tb testing.TB, sql ...string) (string, error) {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dead != nil {
		tb.Fatalf("testenv: %v", s.dead)
	}
	format := s.Format
	if format == "" {
		format = "TabSeparated"
	}
	req, err := json.Marshal(struct {
		Format     string   `json:"format"`
		Statements []string `json:"statements"`
	}{format, sql})
	if err != nil {
		tb.Fatalf("testenv: encoding chdb request: %v", err)
	}
	if _, err := s.stdin.Write(append(req, '\n')); err != nil {
		tb.Fatalf("testenv: %v", s.died(err))
	}
	var reply struct {
		Output string
		Error  *string
	}
	if err := s.read(&reply); err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	if reply.Error != nil {
		return reply.Output, errors.New(*reply.Error)
	}
	return reply.Output, nil
}

// stop closes the worker's stdin, which ends it, and reaps it.
func (s *ChdbSession) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.stdin.Close()
	exited := make(chan struct{})
	go func() {
		_ = s.cmd.Wait()
		close(exited)
	}()
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-exited
	}
}

// tailBuffer keeps the last max bytes written to it: the end of the
// worker's stderr, for error messages.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
