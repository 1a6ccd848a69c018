package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"imageapp/app/cookiekeys"
)

// memStore is a cookiekeys.Store in memory.
type memStore struct {
	ring cookiekeys.Ring
	now  time.Time
}

func (m *memStore) Load(context.Context) (cookiekeys.Ring, error) { return m.ring, nil }
func (m *memStore) Rotate(context.Context) (cookiekeys.Ring, error) {
	m.ring = m.ring.Rotated(cookiekeys.NewPair(m.now))
	return m.ring, nil
}
func (m *memStore) Retire(_ context.Context, keep int) (cookiekeys.Ring, error) {
	r, err := m.ring.Retired(keep, m.now)
	m.ring = r
	return r, err
}

func TestCookieKeysCommand(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	store := &memStore{ring: cookiekeys.Ring{Version: 1, Pairs: []cookiekeys.Pair{cookiekeys.NewPair(t0)}}, now: t0.Add(time.Hour)}
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		opened := false
		err := runCookieKeys(context.Background(), args, &out, func() time.Time { return store.now },
			func() (cookiekeys.Store, error) { opened = true; return store, nil })
		if _, usage := err.(usageError); usage && opened {
			t.Errorf("%v: the store was opened for a usage error", args)
		}
		return out.String(), err
	}

	out, err := run("rotate")
	if err != nil || store.ring.Version != 2 || len(store.ring.Pairs) != 2 {
		t.Fatalf("rotate: %v; ring version %d with %d pairs", err, store.ring.Version, len(store.ring.Pairs))
	}
	if !strings.Contains(out, "version 2, 2 pair(s)") || !strings.Contains(out, "1. created 2026-03-01T13:00:00Z: verifies; signs from 2026-03-01T13:05:00Z") ||
		!strings.Contains(out, "2. created 2026-03-01T12:00:00Z: signs and verifies") {
		t.Errorf("rotate printed:\n%s", out)
	}
	for _, p := range store.ring.Pairs {
		for _, secret := range [][]byte{p.Hash, p.Block} {
			if strings.Contains(out, base64.StdEncoding.EncodeToString(secret)) || strings.Contains(out, string(secret)) {
				t.Fatal("the command printed key material")
			}
		}
	}

	// Right after the rotation the old pair still signs: retire keeps it.
	out, err = run("retire", "-keep", "1")
	if err != nil || len(store.ring.Pairs) != 2 || !strings.Contains(out, "kept 2 pairs, not 1") {
		t.Errorf("retire before the new pair signs: %v, %d pairs:\n%s", err, len(store.ring.Pairs), out)
	}
	store.now = store.now.Add(cookiekeys.ActivateAfter)
	out, err = run("retire", "-keep", "1")
	if err != nil || len(store.ring.Pairs) != 1 || store.ring.Version != 3 || strings.Contains(out, "kept") {
		t.Errorf("retire once the new pair signs: %v, %d pairs, version %d:\n%s", err, len(store.ring.Pairs), store.ring.Version, out)
	}
	if out, err := run("show"); err != nil || !strings.Contains(out, "version 3, 1 pair(s)") {
		t.Errorf("show: %v\n%s", err, out)
	}

	for _, bad := range [][]string{{}, {"spin"}, {"retire"}, {"retire", "-keep", "0"}, {"rotate", "now"}, {"show", "-keep", "1"}} {
		if _, err := run(bad...); !errors.As(err, new(usageError)) {
			t.Errorf("%q: %v; want a usage error", bad, err)
		}
	}
}
