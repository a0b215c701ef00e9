package bench

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// cpuShare is what each process spent per event during one phase.
type cpuShare struct {
	Ingester, ClickHouse, Kafka float64 // µs of CPU per event
}

func (c cpuShare) String() string {
	return fmt.Sprintf("CPU per event: ingester %.2f µs, ClickHouse %.2f µs, Kafka %.2f µs, total %.2f µs",
		c.Ingester, c.ClickHouse, c.Kafka, c.Ingester+c.ClickHouse+c.Kafka)
}

// cpuMeter samples the CPU time of the processes taking part in a phase.
type cpuMeter struct {
	ingesterPid int // 0: no ingester in this phase
	start       [3]time.Duration
}

func startCPUMeter(ingesterPid int) (*cpuMeter, error) {
	m := &cpuMeter{ingesterPid: ingesterPid}
	var err error
	m.start, err = m.sample()
	return m, err
}

// perEvent is the CPU spent since the start divided by events.
func (m *cpuMeter) perEvent(events int) (cpuShare, error) {
	now, err := m.sample()
	if err != nil {
		return cpuShare{}, err
	}
	us := func(i int) float64 { return (now[i] - m.start[i]).Seconds() * 1e6 / float64(events) }
	return cpuShare{Ingester: us(0), ClickHouse: us(1), Kafka: us(2)}, nil
}

func (m *cpuMeter) sample() ([3]time.Duration, error) {
	var out [3]time.Duration
	var err error
	if m.ingesterPid != 0 {
		if out[0], err = processCPU(m.ingesterPid); err != nil {
			return out, err
		}
	}
	for i, service := range []string{"clickhouse", "kafka"} {
		pid, err := servicePid(service)
		if err != nil {
			return out, err
		}
		if out[i+1], err = processCPU(pid); err != nil {
			return out, err
		}
	}
	return out, nil
}

// servicePid is the pid scripts/services.sh recorded for a local service
// ($OPSW_<SERVICE>_PID overrides).
func servicePid(service string) (int, error) {
	text := os.Getenv("OPSW_" + strings.ToUpper(service) + "_PID")
	if text == "" {
		b, err := os.ReadFile(".services/" + service + "/pid")
		if err != nil {
			return 0, fmt.Errorf("finding the %s pid (set OPSW_%s_PID): %w", service, strings.ToUpper(service), err)
		}
		text = string(b)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil {
		return 0, fmt.Errorf("parsing the %s pid %q: %w", service, text, err)
	}
	return pid, nil
}

// processCPU is a process's user+system CPU time, from /proc.
func processCPU(pid int) (time.Duration, error) {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("reading CPU time of pid %d: %w", pid, err)
	}
	// Fields after the parenthesised command: utime and stime are the 12th
	// and 13th, in clock ticks (100 per second on Linux).
	s := string(stat)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("parsing /proc stat %q", s)
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("parsing /proc stat %q", s)
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}
