package server

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserDecryptRecord: "When your images were opened" lists a view
// made just before, by this browser's device, with JavaScript off and on,
// fits at 375 and 1280 px and passes axe; with JavaScript on, Verify says
// the record is verified, and once an entry is edited in the store, Verify
// names that entry.
func TestBrowserDecryptRecord(t *testing.T) {
	dir := t.TempDir()
	app := startApp(t, dir)
	app.signUp("alice")
	b := startBrowser(t, app, "record")
	for _, jsOff := range []bool{true, false} {
		name := map[bool]string{true: "nojs", false: "js"}[jsOff]
		tb := b.newTab(name, jsOff)
		user := "user" + name
		pagesSignUp(tb, user, false)
		id := app.sendDirect("alice", user, 1)[0]
		tb.visit("/messages/"+id+"/image", "img")
		app.app.DecryptRecords().Wait()
		tb.visit("/settings", "#record")
		tb.visit("/settings/record", "#record")
		if got := tb.text("#record"); !strings.Contains(got, "You, Headless Chrome on Linux, viewed the image from alice") {
			t.Errorf("%s: the record says %q", name, got)
		}
		if jsOff {
			if tb.eval("Verify shown", `!document.querySelector('[data-record-verify]').hidden`) {
				t.Errorf("nojs: a Verify button that cannot work is shown")
			}
			tb.check("the record", "record-"+name)
			continue
		}
		tb.do("Verify", chromedp.Click(chromedp.CSS("[data-record-verify]")))
		tb.waitJS("verified", `document.querySelector('[data-record-result]').textContent.startsWith('Verified: ')`)
		if got := tb.text("[data-record-result]"); !strings.HasSuffix(got, "entries, unbroken.") {
			t.Errorf("js: Verify says %q", got)
		}
		tb.check("the record, verified", "record-"+name)

		seq := tamper(t, app, dir, user)
		tb.visit("/settings/record", "#record")
		tb.do("Verify again", chromedp.Click(chromedp.CSS("[data-record-verify]")))
		tb.waitJS("broken", `document.querySelector('[data-record-result]').textContent.startsWith('Broken at entry ')`)
		if got := tb.text("[data-record-result]"); !strings.HasPrefix(got, "Broken at entry "+strconv.FormatInt(seq, 10)+": ") {
			t.Errorf("js: after entry %d was edited Verify says %q", seq, got)
		}
		tb.check("the record, broken", "record-broken")
		tb.checkConsole()
	}
}

// TestBrowserReactDecryptRecord: the React Account screen lists the view
// made just before and verifies the record; an edited entry is named.
func TestBrowserReactDecryptRecord(t *testing.T) {
	dist := filepath.Join(repoRoot(t), "react", "dist")
	if _, err := os.Stat(filepath.Join(dist, "index.html")); err != nil {
		t.Fatalf("the React client is not built (%v): run `cd react && npm ci && npm run build` first", err)
	}
	dir := t.TempDir()
	app := startApp(t, dir, func(c *Config) { c.ReactDir = dist })
	app.signUp("alice")
	b := startBrowser(t, app, "record-react")
	tb := b.newTab("carol", false)
	reactSignUp(tb, "carol", false)
	id := app.sendDirect("alice", "carol", 1)[0]
	tb.visit("/api/messages/"+id+"/image", "img")
	app.app.DecryptRecords().Wait()
	tb.visit("/react/#/account", "#record-heading")
	tb.waitJS("the record", `document.body.textContent.includes('You, Headless Chrome on Linux, viewed the image from alice')`)
	tb.do("Verify", chromedp.Click(chromedp.CSS(`section[aria-labelledby="record-heading"] button`)))
	tb.waitJS("verified", `[...document.querySelectorAll('[role=status]')].some((e) => /^Verified: \d+ entr(y|ies), unbroken\.$/.test(e.textContent))`)
	tb.check("account with the record", "record")

	seq := tamper(t, app, dir, "carol")
	tb.visit("/react/#/account", "#record-heading")
	tb.waitJS("the record again", `document.body.textContent.includes('viewed the image from alice')`)
	tb.do("Verify again", chromedp.Click(chromedp.CSS(`section[aria-labelledby="record-heading"] button`)))
	tb.waitJS("broken", `[...document.querySelectorAll('[role=status]')].some((e) => e.textContent.startsWith('Broken at entry `+strconv.FormatInt(seq, 10)+`: '))`)
	tb.checkConsole()
}

// tamper edits username's newest view in the store, as someone with the
// database could: the purpose becomes a download. Returns its seq.
func tamper(t *testing.T, app *testApp, dir, username string) int64 {
	t.Helper()
	u, err := app.backend.Users.UserByUsername(context.Background(), username)
	must(t, err)
	db := openSQLite(t, dir)
	var seq int64
	must(t, db.QueryRow(`SELECT seq FROM decrypt_entries WHERE user_id = ? AND purpose = 'view' ORDER BY seq DESC LIMIT 1`, u.ID).Scan(&seq))
	res, err := db.Exec(`UPDATE decrypt_entries SET purpose = 'download' WHERE user_id = ? AND seq = ?`, u.ID, seq)
	must(t, err)
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("edited %d entries; want 1", n)
	}
	return seq
}
