// Package valkeytest runs a real Redis-protocol server (Debian's
// redis-server) on loopback for tests of the shared store.
package valkeytest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Binary is the server the tests run; .ci/test installs it from apt.
const Binary = "/usr/bin/redis-server"

// Server is one redis-server process.
type Server struct {
	URL  string
	Addr string
	cmd  *exec.Cmd
	logs *lockedBuffer
}

// Start runs a server for the test and stops it at cleanup. A missing
// binary fails the test (never skips): CI installs it.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s, err := StartProcess()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Stop)
	return s
}

// StartProcess runs a server on a free loopback port, without persistence,
// and waits until it answers.
func StartProcess() (*Server, error) {
	if _, err := os.Stat(Binary); err != nil {
		return nil, fmt.Errorf("valkeytest: %s is missing (%v); install it with `apt-get install redis-server` (bash .ci/service-deps.sh)", Binary, err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	s := &Server{Addr: "127.0.0.1:" + strconv.Itoa(port), logs: &lockedBuffer{}}
	s.URL = "redis://" + s.Addr
	s.cmd = exec.Command(Binary, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning")
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the test
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("valkeytest: start %s: %w", Binary, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if s.ping() == nil {
			return s, nil
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("valkeytest: redis-server on %s did not answer in 10 s:\n%s", s.Addr, s.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ping sends PING in the protocol's inline form and wants PONG.
func (s *Server) ping() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	buf := make([]byte, 16)
	n, err := c.Read(buf)
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(buf[:n], []byte("+PONG")) {
		return fmt.Errorf("answered %q", buf[:n])
	}
	return nil
}

// Stop kills the server (a store that vanishes, as tests of failure want).
func (s *Server) Stop() {
	if s.cmd.Process != nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	}
}

// Logs is what the server printed.
func (s *Server) Logs() string { return s.logs.String() }

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
