package chaos

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// process supervises one ingester process.
type process struct {
	args []string
	out  *os.File
	log  *slog.Logger

	mu         sync.Mutex
	cmd        *exec.Cmd
	done       chan struct{}
	kills      int
	stopping   bool  // the current process is being killed or stopped
	unexpected error // the first exit nobody asked for
}

func newProcess(args []string, out *os.File, log *slog.Logger) *process {
	return &process{args: args, out: out, log: log}
}

func (p *process) start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	cmd := exec.Command(p.args[0], p.args[1:]...)
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", p.args[0], err)
	}
	done := make(chan struct{})
	go func() {
		err := cmd.Wait()
		p.exited(err)
		close(done)
	}()
	p.cmd, p.done, p.stopping = cmd, done, false
	return nil
}

// exited records an exit that was not asked for: an ingester that gives up
// (say, on a broker that is restarting) would otherwise look like lost data.
func (p *process) exited(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopping || p.unexpected != nil {
		return
	}
	if err == nil {
		err = errors.New("exit status 0")
	}
	p.unexpected = fmt.Errorf("ingester exited on its own: %w", err)
	p.log.Error("ingester exited on its own", "err", err)
}

// failure is the first exit nobody asked for, or nil.
func (p *process) failure() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.unexpected
}

// kill sends SIGKILL and waits for the process to die.
func (p *process) kill() {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.kills++
	p.stopping = true
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-done
	p.log.Info("SIGKILLed ingester", "pid", cmd.Process.Pid, "kills", p.kills)
}

// stop asks the process to shut down gracefully.
func (p *process) stop() error {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.cmd = nil
	p.stopping = true
	p.mu.Unlock()
	if cmd == nil {
		return nil
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(45 * time.Second):
		cmd.Process.Signal(syscall.SIGKILL)
		<-done
		return errors.New("ingester did not stop within 45s of SIGTERM")
	}
	return nil
}
