package server

// Browser end-to-end tests: the whole app behind httptest, driven in Debian's
// Chromium by chromedp. Three flows, each in a browser of its own (a fresh
// profile), with alice and bob in two separate browser contexts (two cookie
// jars):
//
//   - TestBrowserHTMX: the server pages with JavaScript on (htmx and app.js run);
//   - TestBrowserNoJS: the same pages with JavaScript off in the page;
//   - TestBrowserReact: the React client under /react/ against the same server.
//
// Each flow signs two people up, confirms them with the code from the outbox,
// logs them in, has alice send an image through the form and bob open it, and
// checks that the image really renders. On the way it asserts that the pages
// have no horizontal overflow at 375 px and 1280 px, and runs axe-core on each
// screen (with JavaScript on) and fails on serious or critical violations.
// Screenshots of bob's inbox and of the opened image land in
// <repo>/.cache/artifacts/browser/<flow>-*.png (git-ignored).
//
// Needs /usr/bin/chromium and axe-core in .cache/axe: `bash .ci/browser-deps.sh`
// installs both. The React flow needs react/dist: `cd react && npm ci && npm run build`.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

const (
	chromiumPath = "/usr/bin/chromium"
	axeVersion   = "4.14.1" // keep in step with AXE_VERSION in .ci/browser-deps.sh

	browserStep = 20 * time.Second // one step: a navigation, a wait, a check
	browserFlow = 3 * time.Minute  // a whole flow, the browser's start included

	browserPassword = "correct horse battery"
)

// The widths the pages must work at: a small phone and a laptop.
var browserWidths = []int64{375, 1280}

func TestBrowserHTMX(t *testing.T) { pagesFlow(t, "htmx", false) }

func TestBrowserNoJS(t *testing.T) { pagesFlow(t, "nojs", true) }

// pagesFlow is the product through the server-rendered pages, with
// JavaScript on (htmx enhances the pages) or off (plain forms and redirects).
func pagesFlow(t *testing.T, flow string, jsOff bool) {
	start := time.Now()
	app := startApp(t, t.TempDir())
	b := startBrowser(t, app, flow)
	alice, bob := b.newTab("alice", jsOff), b.newTab("bob", jsOff)

	pagesSignUp(alice, "alice", true)
	pagesSignUp(bob, "bob", false)

	// alice finds bob in the directory.
	alice.visit("/users", `a[aria-label="Send an image to bob"]`)
	if got := alice.text("#user-list"); strings.Contains(got, "alice") {
		t.Errorf("alice's people page lists herself: %q", got)
	}
	alice.check("people")
	if !jsOff {
		// htmx's live search swaps the list in place, with no page load.
		alice.do("search the directory", chromedp.SendKeys(chromedp.CSS("#q"), "zz"))
		alice.waitJS("the live search shows no match", `document.querySelector('#user-list').innerText.includes('No one matches')`)
		if p := alice.path(); p != "/users" {
			t.Errorf("the live search navigated to %s; htmx should swap the list in place", p)
		}
		alice.visit("/users", `a[aria-label="Send an image to bob"]`)
	}
	alice.submit("follow the send link to bob", `a[aria-label="Send an image to bob"]`, "/send")
	if v := alice.value("#to"); v != "bob" {
		t.Errorf("the send form's To field = %q, want bob (from ?to=bob)", v)
	}
	alice.check("send")
	if alice.eval("the sending status on an idle form", `getComputedStyle(document.getElementById('send-status')).display !== 'none'`) {
		t.Errorf("\"Encrypting and sending…\" shows on a form that is not sending")
	}

	// alice sends an image through the form.
	img := writeTestPNG(t, 640, 400)
	alice.do("choose the image", chromedp.SetUploadFiles(chromedp.CSS("#image"), []string{img}))
	if jsOff {
		if !alice.eval("the preview", `document.getElementById('image-preview').hidden`) {
			t.Errorf("with JavaScript off the preview should stay hidden (app.js must not run)")
		}
	} else {
		alice.do("app.js previews the chosen image", chromedp.WaitVisible(chromedp.CSS("#image-preview")))
	}
	alice.do("write a caption", chromedp.SendKeys(chromedp.CSS("#caption"), "Sea & <sun>"))
	if jsOff {
		// A plain multipart POST and a 303 to the sent page.
		alice.submit("send the image", `#send-panel button[type=submit]`, "/sent")
		if got := alice.text("main"); !strings.Contains(got, "Delivered") {
			t.Errorf("the sent page should say bob has not opened it yet: %q", got)
		}
		alice.check("sent")
	} else {
		// htmx posts the form and swaps the panel: no page load.
		alice.do("send the image", chromedp.Click(chromedp.CSS(`#send-panel button[type=submit]`)))
		alice.waitJS("the panel says it was sent", `document.querySelector('#send-panel [role=status]')?.innerText.includes('Sent to bob')`)
		if p := alice.path(); p != "/send" {
			t.Errorf("after an htmx send the page is %s; htmx should have swapped the panel on /send", p)
		}
		if v := alice.value("#image"); v != "" {
			t.Errorf("after sending, the fresh form's file input holds %q", v)
		}
		alice.check("send (sent)")
		alice.visit("/sent", "main ul")
		if got := alice.text("main"); !strings.Contains(got, "Delivered") {
			t.Errorf("the sent page should say bob has not opened it yet: %q", got)
		}
		alice.check("sent")
	}

	// bob finds alice in his inbox, opens their conversation, then the image.
	bob.visit("/inbox", `#inbox a[href^="/conversations/alice"]`)
	if got := bob.text("#inbox"); !strings.Contains(got, "alice") || !strings.Contains(got, "1 new") || !strings.Contains(got, "Sea & <sun>") {
		t.Errorf("bob's inbox should show one new image from alice with its caption: %q", got)
	}
	if !bob.eval("the unread badge", `document.querySelector('[aria-label="1 unread message"]') !== null`) {
		t.Errorf("the nav should count 1 unread message")
	}
	bob.check("inbox", "inbox")
	bob.submit("open the conversation", `#inbox a[href^="/conversations/alice"]`, "/conversations/alice")
	openMessage(bob, "open the message", `#conversation a[href^="/messages/"]`)
	if p := bob.path(); !regexp.MustCompile(`^/messages/[0-9a-f]{32}$`).MatchString(p) {
		t.Fatalf("opening the message landed on %s", p)
	}
	bob.do("the image is on the page", chromedp.WaitVisible(chromedp.CSS("figure img")))
	if w := bob.imageWidth("figure img"); w != 640 {
		t.Errorf("the opened image's naturalWidth = %d, want 640: the image did not render", w)
	}
	if got := bob.text("figure"); !strings.Contains(got, "Sea & <sun>") {
		t.Errorf("the caption should show as text: %q", got)
	}
	bob.check("message", "message")

	if !jsOff {
		// The inbox is live: a new image shows up within 2 s, pushed over the
		// page's event stream (the fallback refresh is every 15 s), with the
		// nav's count and the tab's title; the list morphs in place, so
		// keyboard focus stays on the row it was on; the refresh says it is a
		// background one.
		bob.visit("/inbox", `#inbox a[href^="/conversations/alice"]`)
		bob.waitJS("the page says its updates are live", `document.getElementById('live-status')?.dataset.live === 'true'`)
		if got := bob.text("#live-status"); !strings.Contains(got, "as they arrive") {
			t.Errorf("the live status says %q", got)
		}
		if title := evalAs[string](bob, "the title", `document.title`); title != "Inbox · ImageApp" {
			t.Errorf("with nothing unread the title is %q", title)
		}
		focused := evalAs[string](bob, "focus the first row", `(() => { const a = document.querySelector('#inbox a[href^="/conversations/alice"]'); a.focus(); return a.getAttribute('href'); })()`)
		bob.eval("watch htmx's requests",
			`document.addEventListener('htmx:before:request', (e) => { window.lastHeaders = e.detail.ctx.request.headers }), true`)
		sent := time.Now()
		app.sendDirect("alice", "bob", 1)
		bob.waitJSWithin("the new image shows up in the open inbox", 2*time.Second,
			`document.querySelector('#inbox a[href^="/conversations/alice"]')?.innerText.includes('1 new')`)
		bob.waitJSWithin("the tab's title counts it", 2*time.Second, `document.title === '(1) Inbox · ImageApp'`)
		t.Logf("the new image showed in bob's open inbox %v after the send", time.Since(sent).Round(time.Millisecond))
		if !bob.eval("the unread badge", `document.querySelector('#nav-unread[aria-label="1 unread message"]:not([hidden])')?.innerText === '1'`) {
			t.Errorf("the nav's badge does not count the new message")
		}
		if got := evalAs[string](bob, "the focused element", `document.activeElement?.getAttribute('href') ?? document.activeElement?.tagName`); got != focused {
			t.Errorf("after the live update the focus is on %q, want it to stay on %q", got, focused)
		}
		if !bob.eval("the refresh's headers", `window.lastHeaders?.['HX-Source'] === 'div#inbox'`) {
			t.Errorf("the inbox's refresh does not carry HX-Source: div#inbox, which the server knows it by")
		}
		bob.check("inbox (live)", "inbox-live")
	}

	// htmx ran (or did not) in every tab.
	for _, tb := range []*tab{alice, bob} {
		loaded := tb.eval("htmx", `typeof window.htmx !== 'undefined'`)
		if jsOff && loaded {
			t.Errorf("%s: htmx ran although JavaScript is off", tb.name)
		}
		if !jsOff && !loaded {
			t.Errorf("%s: htmx did not load with JavaScript on", tb.name)
		}
		tb.checkConsole()
	}
	t.Logf("%s flow took %v", flow, time.Since(start).Round(time.Millisecond))
}

// pagesSignUp walks the sign-up, confirm and log-in pages; first also
// checks those pages' layout and accessibility.
func pagesSignUp(tb *tab, username string, first bool) {
	t := tb.b.t
	t.Helper()
	email := username + "@example.com"
	tb.visit("/signup", "#username")
	if first {
		tb.check("signup")
	}
	tb.do("fill in the sign-up form",
		chromedp.SendKeys(chromedp.CSS("#username"), username),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), browserPassword),
	)
	tb.submit("sign up", `form[action="/signup"] button[type=submit]`, "/verify")
	if v := tb.value("#username"); v != username {
		t.Errorf("the verify page's username = %q, want %q", v, username)
	}
	if first {
		tb.check("verify")
	}
	tb.do("enter the code", chromedp.SendKeys(chromedp.CSS("#code"), tb.b.app.codeFor(email)))
	// The browser that signed up is signed in by its code: no password again.
	tb.submit("confirm", `form[action="/verify"] button[type=submit]`, "/inbox")
	if first {
		tb.visit("/login", "#password")
		tb.check("login")
		tb.visit("/inbox", "main")
	}
}

// TestBrowserReact is the same product through the React client under /react/.
func TestBrowserReact(t *testing.T) {
	start := time.Now()
	dist := filepath.Join(repoRoot(t), "react", "dist")
	if _, err := os.Stat(filepath.Join(dist, "index.html")); err != nil {
		t.Fatalf("the React client is not built (%v): run `cd react && npm ci && npm run build` first (.ci/test does)", err)
	}
	app := startApp(t, t.TempDir(), func(c *Config) { c.ReactDir = dist })
	b := startBrowser(t, app, "react")
	alice, bob := b.newTab("alice", false), b.newTab("bob", false)

	reactSignUp(alice, "alice", true)
	reactSignUp(bob, "bob", false)

	// alice picks bob from the people screen.
	alice.do("go to People", chromedp.Click(chromedp.CSS(`nav[aria-label=Main] a[href="#/users"]`)))
	alice.waitJS("bob is listed", `document.querySelector('a[aria-label="Send an image to bob"]') !== null`)
	if got := alice.text(`ul[aria-label=Users]`); strings.Contains(got, "alice") {
		t.Errorf("alice's people screen lists herself: %q", got)
	}
	alice.check("people")
	alice.do("follow the send link to bob", chromedp.Click(chromedp.CSS(`a[aria-label="Send an image to bob"]`)))
	alice.waitJS("the send screen", `location.hash.startsWith('#/send') && document.querySelector('input[name=to]') !== null`)
	if v := alice.value("input[name=to]"); v != "bob" {
		t.Errorf("the send screen's To field = %q, want bob", v)
	}
	alice.check("send")

	img := writeTestPNG(t, 640, 400)
	alice.do("choose the image", chromedp.SetUploadFiles(chromedp.CSS(`input[type=file][name=image]`), []string{img}))
	alice.waitJS("the chosen file is named", `document.querySelector('[data-testid=chosen-file]')?.innerText.includes('holiday.png')`)
	alice.do("write a caption", chromedp.SendKeys(chromedp.CSS("textarea[name=caption]"), "Sea & <sun>"))
	alice.do("send the image", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	alice.waitJS("the sent screen says it was sent", `location.hash.startsWith('#/sent') && [...document.querySelectorAll('[role=status]')].some(e => e.innerText.includes('Sent to bob.'))`)
	// bob's open inbox shows it by itself, over its event stream, with the count in the tab's title.
	bob.waitJSWithin("the image shows up in bob's open inbox", 2*time.Second, `document.querySelector('main a[href="#/conversations/alice"]') !== null`)
	bob.waitJSWithin("bob's tab title counts it", 2*time.Second, `document.title === '(1) Inbox · ImageApp'`)
	if got := bob.text("[data-testid=live-status]"); !strings.Contains(got, "as they arrive") {
		t.Errorf("bob's inbox says %q about live updates", got)
	}
	alice.waitJS("the sent list shows it", `document.querySelector('main a[href^="#/messages/"]') !== null`)
	alice.check("sent")

	// bob opens the image (by its address here; the way through the conversation
	// screen is TestBrowserReactConversation's).
	if got := bob.text(`main a[href="#/conversations/alice"]`); !strings.Contains(got, "alice") || !strings.Contains(got, "1 new") {
		t.Errorf("bob's inbox should show alice with 1 new image: %q", got)
	}
	bob.check("inbox", "inbox")
	href := evalAs[string](alice, "read the message's address", `document.querySelector('main a[href^="#/messages/"]').getAttribute('href')`)
	evalAs[string](bob, "open the message", "location.hash = "+jsString(href))
	bob.waitJS("the message screen", `location.hash.startsWith('#/messages/') && document.querySelector('article img') !== null`)
	if w := bob.imageWidth("article img"); w != 640 {
		t.Errorf("the opened image's naturalWidth = %d, want 640: the image did not render", w)
	}
	if got := bob.text("article"); !strings.Contains(got, "Sea & <sun>") || !strings.Contains(got, "holiday.png") {
		t.Errorf("the message screen should show the caption and file name: %q", got)
	}
	bob.check("message", "message")
	// alice's open Sent view learns that bob opened it.
	alice.waitJSWithin("alice's Sent view shows it opened", 2*time.Second, `document.querySelector('main ul[aria-label="Sent messages"]')?.innerText.includes('Opened')`)

	alice.checkConsole()
	bob.checkConsole()
	t.Logf("react flow took %v", time.Since(start).Round(time.Millisecond))
}

// reactSignUp walks the React sign-up, confirm and log-in screens.
func reactSignUp(tb *tab, username string, first bool) {
	t := tb.b.t
	t.Helper()
	email := username + "@example.com"
	if first {
		// Logged out, /react/ shows the login screen.
		tb.visit("/react/", "input[name=password]")
		tb.check("login")
	}
	tb.visit("/react/#/signup", "input[name=email]")
	if first {
		tb.check("signup")
	}
	tb.do("fill in the sign-up form",
		chromedp.SendKeys(chromedp.CSS("input[name=username]"), username),
		chromedp.SendKeys(chromedp.CSS("input[name=email]"), email),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), browserPassword),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
	)
	tb.waitJS("the confirm screen", `location.hash.startsWith('#/verify') && document.querySelector('input[name=code]') !== null`)
	if v := tb.value("input[name=username]"); v != username {
		t.Errorf("the confirm screen's username = %q, want %q", v, username)
	}
	if first {
		tb.check("verify")
	}
	tb.do("enter the code",
		chromedp.SendKeys(chromedp.CSS("input[name=code]"), tb.b.app.codeFor(email)),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
	)
	// The browser that signed up is signed in by its code: no password again.
	tb.waitJS("the inbox", `location.hash === '#/inbox' && document.querySelector('nav[aria-label=Main]') !== null`)
}

// --- the harness ---

// browserEnv is one Chromium with a fresh profile, for one flow.
type browserEnv struct {
	t         *testing.T
	app       *testApp
	flow      string          // names the artifacts: htmx, nojs, react
	ctx       context.Context // the browser's
	artifacts string          // <repo>/.cache/artifacts/browser
	axe       string          // axe.min.js
}

func startBrowser(t *testing.T, app *testApp, flow string) *browserEnv {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("Chromium is missing (%v): the browser tests need Debian's %s; install it with `bash .ci/browser-deps.sh` (as root)", err, chromiumPath)
	}
	root := repoRoot(t)
	axeDir := filepath.Join(root, ".cache", "axe", "node_modules", "axe-core")
	var pkg struct{ Version string }
	raw, err := os.ReadFile(filepath.Join(axeDir, "package.json"))
	if err == nil {
		err = json.Unmarshal(raw, &pkg)
	}
	if err == nil && pkg.Version != axeVersion {
		err = fmt.Errorf("found axe-core %s, want %s", pkg.Version, axeVersion)
	}
	var axe []byte
	if err == nil {
		axe, err = os.ReadFile(filepath.Join(axeDir, "axe.min.js"))
	}
	if err != nil {
		t.Fatalf("axe-core %s is not in .cache/axe (%v): install it with `bash .ci/browser-deps.sh`", axeVersion, err)
	}
	artifacts := filepath.Join(root, ".cache", "artifacts", "browser")
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	old, _ := filepath.Glob(filepath.Join(artifacts, flow+"-*.png")) // a former run's, failures' shots included
	for _, f := range old {
		os.Remove(f)
	}

	profile := t.TempDir() // removed after the browser has quit (cleanups run last-in first-out)
	var output lockedWriter
	var outBuf strings.Builder
	output.w = &outBuf
	ctx, cancel := context.WithTimeout(context.Background(), browserFlow)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(&output),
	)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		bcancel()
		acancel() // waits for Chromium to exit
		cancel()
	})
	began := time.Now()
	if err := chromedp.Do(bctx); err != nil {
		output.mu.Lock()
		defer output.mu.Unlock()
		t.Fatalf("start %s: %v\n%s", chromiumPath, err, outBuf.String())
	}
	t.Logf("Chromium started in %v", time.Since(began).Round(time.Millisecond))
	return &browserEnv{t: t, app: app, flow: flow, ctx: bctx, artifacts: artifacts, axe: string(axe)}
}

// tab is one person's tab, in a browser context (cookie jar) of its own.
type tab struct {
	b     *browserEnv
	name  string
	ctx   context.Context
	jsOff bool

	mu       sync.Mutex
	problems []string // uncaught exceptions and CSP violations seen in the console
}

func (b *browserEnv) newTab(name string, jsOff bool) *tab {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	tb := &tab{b: b, name: name, ctx: ctx, jsOff: jsOff}
	// The first Do opens the tab and ties it to ctx, so it has no step timeout.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		b.t.Fatalf("%s: open a tab: %v", name, err)
	}
	if jsOff {
		// Pages get no script at all from here on; the test still reads the
		// DOM through the DevTools protocol.
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			b.t.Fatalf("%s: turn JavaScript off: %v", name, err)
		}
	}
	messages := chromedp.Console(ctx) // subscribed now, read below
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() || strings.Contains(m.Text, "Content Security Policy") {
				tb.mu.Lock()
				tb.problems = append(tb.problems, fmt.Sprintf("%s (%s:%d)", m.Text, m.URL, m.Line+1))
				tb.mu.Unlock()
			}
		}
	}()
	return tb
}

// checkConsole fails on uncaught exceptions and CSP violations the pages logged.
func (tb *tab) checkConsole() {
	tb.b.t.Helper()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, p := range tb.problems {
		tb.b.t.Errorf("%s: the console shows: %s", tb.name, p)
	}
}

// do runs steps with a step timeout and fails the test if one fails.
func (tb *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.b.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserStep)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.fatal(what, err)
	}
}

// evalAs evaluates a JavaScript expression in the page (through the DevTools
// protocol, so neither the page's CSP nor disabled JavaScript stops it).
func evalAs[T any](tb *tab, what, expr string, opts ...chromedp.EvaluateOption) T {
	tb.b.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserStep)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		tb.fatal(what, err)
	}
	return v
}

func (tb *tab) eval(what, expr string) bool { tb.b.t.Helper(); return evalAs[bool](tb, what, expr) }

func (tb *tab) path() string {
	tb.b.t.Helper()
	return evalAs[string](tb, "read the location", `location.pathname`)
}

func (tb *tab) text(sel string) string {
	tb.b.t.Helper()
	return evalAs[string](tb, "read "+sel, fmt.Sprintf(`document.querySelector(%s)?.innerText ?? ''`, jsString(sel)))
}

func (tb *tab) value(sel string) string {
	tb.b.t.Helper()
	return evalAs[string](tb, "read "+sel, fmt.Sprintf(`document.querySelector(%s)?.value ?? '<no such field>'`, jsString(sel)))
}

// visit loads a page and waits until sel is visible.
func (tb *tab) visit(path, sel string) {
	tb.b.t.Helper()
	tb.b.app.previewsMade() // a page shows the previews of what was sent before it
	tb.do("open "+path, chromedp.Navigate(tb.b.app.server.URL+path), chromedp.WaitVisible(chromedp.CSS(sel)))
}

// submit clicks sel, waits for the page it leads to, and checks that it
// loaded with 200 at wantPath (any path if wantPath is "").
func (tb *tab) submit(what, sel, wantPath string) {
	tb.b.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserStep)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	status := 0
	switch {
	case err == nil && resp != nil:
		status = int(resp.Status)
	case err == nil && wantPath != "":
		// On a loaded machine the navigation can start after the click's
		// action has returned, which RunResponse does not wait for: wait
		// for the page at wantPath and read its status from the browser.
		status = tb.landedStatus(ctx, wantPath)
	}
	if err == nil && status == 0 {
		err = errors.New("no page loaded")
	}
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("the page loaded with status %d", status)
	}
	if err != nil {
		tb.fatal(what, err)
	}
	if wantPath != "" {
		if p := tb.path(); p != wantPath {
			tb.fatal(what, fmt.Errorf("landed on %s, want %s", p, wantPath))
		}
	}
}

// landedStatus waits (within ctx) until the tab shows a fully loaded
// document at path and returns the status of its navigation; 0 if none
// came.
func (tb *tab) landedStatus(ctx context.Context, path string) int {
	expr := `new Promise((resolve) => {
		const done = () => location.pathname === ` + jsString(path) + ` && document.readyState === 'complete';
		const tick = () => done() ? resolve(performance.getEntriesByType('navigation')[0]?.responseStatus ?? 0) : setTimeout(tick, 50);
		tick();
	})`
	for ctx.Err() == nil {
		// The evaluation fails while the old document is torn down: try again.
		if status, err := chromedp.Run(ctx, chromedp.Evaluate[int](expr, chromedp.EvalAwaitPromise)); err == nil {
			return status
		}
		time.Sleep(50 * time.Millisecond)
	}
	return 0
}

// waitJS waits until the JavaScript condition holds, re-checking it on every
// change of the DOM (a MutationObserver, not a timer).
func (tb *tab) waitJS(what, cond string) {
	tb.b.t.Helper()
	if tb.jsOff { // nothing changes the page: it holds now or never
		if !tb.eval(what, cond) {
			tb.fatal(what, errors.New("does not hold"))
		}
		return
	}
	expr := `new Promise((resolve) => {
		const ok = () => { try { return Boolean(` + cond + `); } catch (e) { return false; } };
		if (ok()) { resolve(true); return; }
		const mo = new MutationObserver(() => { if (ok()) { mo.disconnect(); resolve(true); } });
		mo.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
	})`
	evalAs[bool](tb, what, expr, chromedp.EvalAwaitPromise)
}

// waitJSWithin is waitJS with a deadline of its own, for what must happen fast.
func (tb *tab) waitJSWithin(what string, d time.Duration, cond string) {
	tb.b.t.Helper()
	expr := `new Promise((resolve) => {
		const ok = () => { try { return Boolean(` + cond + `); } catch (e) { return false; } };
		if (ok()) { resolve(true); return; }
		const timer = setTimeout(() => { mo.disconnect(); resolve(false); }, ` + strconv.FormatInt(d.Milliseconds(), 10) + `);
		const mo = new MutationObserver(() => { if (ok()) { clearTimeout(timer); mo.disconnect(); resolve(true); } });
		mo.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
	})`
	if !evalAs[bool](tb, what, expr, chromedp.EvalAwaitPromise) {
		tb.fatal(what, fmt.Errorf("not within %v", d))
	}
}

// imageWidth is the naturalWidth of the image at sel once it has loaded (0 if
// it failed to load).
func (tb *tab) imageWidth(sel string) int {
	tb.b.t.Helper()
	if tb.jsOff { // the page's load event, which Navigate waits for, waits for its images
		return evalAs[int](tb, "the image's size", fmt.Sprintf(`(() => { const i = document.querySelector(%s); return i && i.complete ? i.naturalWidth : -1; })()`, jsString(sel)))
	}
	return evalAs[int](tb, "the image loads", fmt.Sprintf(`new Promise((resolve) => {
		const i = document.querySelector(%s);
		if (!i) { resolve(-1); return; }
		if (i.complete) { resolve(i.naturalWidth); return; }
		i.addEventListener('load', () => resolve(i.naturalWidth), {once: true});
		i.addEventListener('error', () => resolve(0), {once: true});
	})`, jsString(sel)), chromedp.EvalAwaitPromise)
}

// check is the per-screen check: no horizontal overflow at each width, and
// no serious or critical axe-core violation (with JavaScript on). With shot
// set it saves screenshots as <flow>-<shot>.png (1280 px) and
// <flow>-<shot>-375.png.
func (tb *tab) check(screen string, shot ...string) {
	tb.b.t.Helper()
	for _, w := range browserWidths {
		tb.do(fmt.Sprintf("set the width to %d px", w), chromedp.EmulateViewport(w, 900))
		var m struct {
			ScrollWidth, ClientWidth, InnerWidth int
			Wide                                 []string
		}
		raw := evalAs[[]byte](tb, "measure the page", `(() => {
			const de = document.documentElement, vw = de.clientWidth;
			const wide = [...document.body.querySelectorAll('*')]
				.filter((e) => e.getBoundingClientRect().right > vw + 0.5)
				.slice(0, 5)
				.map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).slice(0, 4).join('.') : ''));
			return {scrollWidth: de.scrollWidth, clientWidth: vw, innerWidth: window.innerWidth, wide};
		})()`)
		if err := json.Unmarshal(raw, &m); err != nil {
			tb.fatal("measure the page", err)
		}
		if m.ScrollWidth > m.ClientWidth || m.ScrollWidth > m.InnerWidth {
			tb.b.t.Errorf("%s %s at %d px: the page overflows sideways (scrollWidth %d > width %d); too wide: %v",
				tb.b.flow, screen, w, m.ScrollWidth, m.ClientWidth, m.Wide)
		}
		if len(shot) > 0 {
			name := shot[0]
			if w != 1280 {
				name += fmt.Sprintf("-%d", w)
			}
			tb.screenshot(name)
		}
	}
	if !tb.jsOff {
		tb.axeCheck(screen)
	}
}

type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Nodes   []string `json:"nodes"`
	Summary string   `json:"summary"` // axe-core's words on the first node
}

// axeCheck runs axe-core on the whole page in the light and in the dark
// colour scheme (prefers-color-scheme emulated by Chromium).
func (tb *tab) axeCheck(screen string) {
	tb.b.t.Helper()
	tb.axeRun(screen)
	tb.setColorScheme("dark")
	defer tb.setColorScheme("")
	tb.axeRun(screen + " (dark)")
}

// setColorScheme emulates prefers-color-scheme: "dark", "light", or "" for
// the browser's own.
func (tb *tab) setColorScheme(scheme string) {
	tb.b.t.Helper()
	var features []*emulation.MediaFeature
	if scheme != "" {
		features = []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}
	}
	if _, err := chromedp.Call(tb.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: features}); err != nil {
		tb.fatal("emulate prefers-color-scheme: "+scheme, err)
	}
	// Colours with a transition take a moment to change.
	evalAs[chromedp.Void](tb, "wait for the colours to settle", `Promise.all(document.getAnimations().map((a) => a.finished.catch(() => {})))`, chromedp.EvalAwaitPromise)
}

// axeRun injects axe-core through the DevTools protocol (the page's CSP,
// script-src 'self', does not apply to it) and runs it on the whole page.
func (tb *tab) axeRun(screen string) {
	t := tb.b.t
	t.Helper()
	if !tb.eval("look for axe", `typeof window.axe === 'object'`) {
		evalAs[chromedp.Void](tb, "inject axe-core", tb.b.axe)
	}
	raw := evalAs[[]byte](tb, "run axe-core", `axe.run(document, {resultTypes: ['violations']}).then((r) => r.violations.map((v) => ({
		id: v.id, impact: v.impact, help: v.help,
		nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
		summary: (v.nodes[0] && v.nodes[0].failureSummary || '').replace(/\s+/g, ' '),
	})))`, chromedp.EvalAwaitPromise)
	var vs []axeViolation
	if err := json.Unmarshal(raw, &vs); err != nil {
		tb.fatal("read axe-core's results", err)
	}
	var minor []string
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("a11y %s %s: %s violation %s: %s, at %v: %s", tb.b.flow, screen, v.Impact, v.ID, v.Help, v.Nodes, v.Summary)
		} else {
			minor = append(minor, v.Impact+" "+v.ID)
		}
	}
	t.Logf("a11y %s %s: %d violations; minor/moderate: %v", tb.b.flow, screen, len(vs), minor)
}

// screenshot saves the whole page as <artifacts>/<flow>-<name>.png and
// returns the path ("" if it could not).
func (tb *tab) screenshot(name string) string {
	ctx, cancel := context.WithTimeout(tb.ctx, browserStep)
	defer cancel()
	var shoot chromedp.Action[[]byte] = func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		m, err := cdp.Call(ctx, t, page.GetLayoutMetrics, cdp.Empty{})
		if err != nil {
			return nil, err
		}
		w, h := 1280.0, 900.0
		if m.CSSContentSize != nil {
			w, h = m.CSSContentSize.Width, min(m.CSSContentSize.Height, 6000)
		}
		beyond, surface := true, true
		r, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format:                page.CaptureScreenshotFormatPng,
			Clip:                  &page.Viewport{Width: w, Height: h, Scale: 1},
			CaptureBeyondViewport: &beyond,
			FromSurface:           &surface,
		})
		return r.Data, err
	}
	png, err := chromedp.Run(ctx, shoot)
	if err != nil {
		tb.b.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	path := filepath.Join(tb.b.artifacts, tb.b.flow+"-"+name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.b.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	tb.b.t.Logf("screenshot: %s", path)
	return path
}

// fatal ends the test with what the tab shows: its address, its text and a
// screenshot.
func (tb *tab) fatal(what string, err error) {
	tb.b.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ''`))
	if len(text) > 1500 {
		text = text[:1500] + "…"
	}
	shot := tb.screenshot("FAILED-" + tb.name)
	tb.b.t.Fatalf("%s (%s flow): %s: %v\n  at %s\n  screenshot %s\n  page text:\n%s", tb.name, tb.b.flow, what, err, loc, shot, text)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// writeTestPNG writes a w×h test PNG named holiday.png and returns its path.
func writeTestPNG(t *testing.T, w, h int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "holiday.png")
	if err := os.WriteFile(path, testPNG(t, w, h), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// repoRoot is the module root (where go.mod is), above the test's directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}
