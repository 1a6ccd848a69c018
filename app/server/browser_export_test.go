package server

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// TestBrowserExportCard: the settings page's "Export my data" card, with
// JavaScript off, fits at 375 and 1280 px and passes axe (checked with
// JavaScript on in the same run); its Download button is a plain form POST
// that downloads the zip while the page stays where it is.
func TestBrowserExportCard(t *testing.T) {
	app := startApp(t, t.TempDir())
	b := startBrowser(t, app, "export")
	for _, jsOff := range []bool{true, false} {
		name := map[bool]string{true: "nojs", false: "js"}[jsOff]
		tb := b.newTab(name, jsOff)
		pagesSignUp(tb, "user"+name, false)
		tb.visit("/settings", "#export")
		if got := tb.text("#export"); !strings.Contains(got, "Export my data") {
			t.Errorf("%s: the export card says %q", name, got)
		}
		tb.check("settings with the export card", "settings-"+name)
		if jsOff {
			downloadExport(t, tb)
		}
		tb.checkConsole()
	}
}

// downloadExport clicks the card's button and waits for the zip to land in
// the browser's download folder; the tab stays on the settings page.
func downloadExport(t *testing.T, tb *tab) {
	t.Helper()
	dir := t.TempDir()
	if _, err := chromedp.CallBrowser(tb.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir,
		BrowserContextID: chromedp.FromContext(tb.ctx).BrowserContextID,
	}); err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
	tb.do("click Download", chromedp.Click(chromedp.CSS(`#export form[action="/settings/export"] button`)))
	deadline := time.Now().Add(browserStep)
	for {
		zips, _ := filepath.Glob(filepath.Join(dir, "imageapp-usernojs-*.zip"))
		if len(zips) == 1 {
			zr, err := zip.OpenReader(zips[0])
			if err != nil {
				t.Fatalf("the downloaded export: %v", err)
			}
			zr.Close()
			break
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(dir)
			t.Fatalf("no export downloaded within %v: %v", browserStep, entries)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if p := tb.path(); p != "/settings" {
		t.Errorf("after the download the tab is at %s; want it still on /settings", p)
	}
}

// TestBrowserReactAccount: the React client's Account screen, reached from
// the header, fits at 375 and 1280 px, passes axe, and has the export's form.
func TestBrowserReactAccount(t *testing.T) {
	dist := filepath.Join(repoRoot(t), "react", "dist")
	if _, err := os.Stat(filepath.Join(dist, "index.html")); err != nil {
		t.Fatalf("the React client is not built (%v): run `cd react && npm ci && npm run build` first", err)
	}
	app := startApp(t, t.TempDir(), func(c *Config) { c.ReactDir = dist })
	b := startBrowser(t, app, "export-react")
	tb := b.newTab("alice", false)
	reactSignUp(tb, "alice", false)
	tb.do("open Account", chromedp.Click(chromedp.CSS(`header a[href="#/account"]`)))
	tb.waitJS("the account screen", `location.hash === '#/account' && document.querySelector('form[method="post"][action="/api/settings/export"] button') !== null`)
	tb.check("account", "account")
	tb.checkConsole()
}
