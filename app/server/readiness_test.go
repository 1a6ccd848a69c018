package server

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"imageapp/app/local"
	"imageapp/app/valkey/valkeytest"
)

// readiness is the body of GET /readyz.
type readiness struct {
	Ready    bool              `json:"ready"`
	Draining bool              `json:"draining"`
	Checks   map[string]string `json:"checks"`
}

func (a *testApp) readyz() (response, readiness) {
	a.t.Helper()
	r := a.client().get("/readyz")
	var body readiness
	if err := json.Unmarshal([]byte(r.body), &body); err != nil {
		a.t.Fatalf("/readyz answered %d %q, not JSON: %v", r.status, r.body, err)
	}
	return r, body
}

func TestReadyzIsOKWhenTheDatabaseAndDataDirAnswer(t *testing.T) {
	app := startApp(t, t.TempDir())
	r, body := app.readyz()
	if r.status != http.StatusOK || !body.Ready || body.Checks["sqlite"] != "ok" || body.Checks["data_dir"] != "ok" {
		t.Fatalf("/readyz = %d %s, want 200 with sqlite and data_dir ok", r.status, r.body)
	}
	if health := app.client().get("/healthz"); health.status != http.StatusOK {
		t.Errorf("/healthz = %d, want 200", health.status)
	}
}

func TestReadyzFailsWhenTheDatabaseIsClosed(t *testing.T) {
	app := startApp(t, t.TempDir())
	if err := app.backend.Messages.(*local.Messages).DB.Close(); err != nil {
		t.Fatal(err)
	}
	r, body := app.readyz()
	if r.status != http.StatusServiceUnavailable || body.Ready || body.Checks["sqlite"] != "unavailable" || r.header.Get("Retry-After") == "" {
		t.Fatalf("/readyz with the database closed = %d %s (Retry-After %q), want 503 naming sqlite",
			r.status, r.body, r.header.Get("Retry-After"))
	}
	if health := app.client().get("/healthz"); health.status != http.StatusOK {
		t.Errorf("/healthz = %d; liveness must not depend on the database", health.status)
	}
}

// TestReadyzFailsWhenTheDataDirCannotBeWritten moves the data dir away (a
// read-only mode would not stop root, whom CI runs as): no file can be
// created there, as on a full or read-only disk.
func TestReadyzFailsWhenTheDataDirCannotBeWritten(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	app := startApp(t, dir)
	if err := os.Rename(dir, dir+".away"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Rename(dir+".away", dir) })
	r, body := app.readyz()
	if r.status != http.StatusServiceUnavailable || body.Checks["data_dir"] != "unavailable" || body.Checks["sqlite"] != "ok" {
		t.Fatalf("/readyz with the data dir gone = %d %s, want 503 naming data_dir only", r.status, r.body)
	}
}

func TestReadyzIsUnavailableOnceTheServerDrains(t *testing.T) {
	app := startApp(t, t.TempDir())
	app.app.web.BeginDrain()
	r, body := app.readyz()
	if r.status != http.StatusServiceUnavailable || body.Ready || !body.Draining {
		t.Fatalf("/readyz while draining = %d %s, want 503 draining", r.status, r.body)
	}
}

// TestReadyzOnAWSNamesValkeyWhenItStops runs the AWS backend on the
// emulators with a shared store: every dependency answers, then the store
// stops and the next round (after the cached one expires) names it.
func TestReadyzOnAWSNamesValkeyWhenItStops(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	store := valkeytest.Start(t)
	clock := &testClock{t: time.Now()}
	app := startAWSApp(t, ctx, "ready", func(c *Config) {
		c.ValkeyURL = store.URL
		c.Now = clock.now
	})
	r, body := app.readyz()
	for _, name := range []string{"dynamodb", "kms", "s3", "valkey"} {
		if body.Checks[name] != "ok" {
			t.Errorf("check %s = %q, want ok", name, body.Checks[name])
		}
	}
	if r.status != http.StatusOK || !body.Ready {
		t.Fatalf("/readyz on the emulators = %d %s, want 200", r.status, r.body)
	}

	store.Stop()
	if r, _ := app.readyz(); r.status != http.StatusOK {
		t.Errorf("/readyz within the cache period = %d, want the cached 200", r.status)
	}
	clock.advance(time.Minute)
	r, body = app.readyz()
	if r.status != http.StatusServiceUnavailable || body.Ready || body.Checks["valkey"] == "ok" || body.Checks["dynamodb"] != "ok" {
		t.Fatalf("/readyz with Valkey stopped = %d %s, want 503 naming valkey only", r.status, r.body)
	}
}
