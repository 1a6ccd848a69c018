package server

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/serviceworker"
	"github.com/chromedp/chromedp"

	"imageapp/app/imageapp"
)

const pushBox = notifyCard + ` [data-push]`

// pushState is the toggle's data-state once it is no longer "working".
func (tb *tab) pushState(sel string) string {
	tb.b.t.Helper()
	tb.waitJSWithin("the push toggle settles", 30*time.Second,
		`(() => { const s = document.querySelector(`+jsString(sel)+`)?.dataset.state; return !!s && s !== 'working'; })()`)
	return evalAs[string](tb, "the push state", `document.querySelector(`+jsString(sel)+`).dataset.state`)
}

// registeredWorker is "<script URL> <scope>" of the root's service worker
// ("" when there is none).
func (tb *tab) registeredWorker() string {
	tb.b.t.Helper()
	return evalAs[string](tb, "read the registration", `navigator.serviceWorker.getRegistration('/').then((r) => {
		const w = r && (r.active || r.waiting || r.installing);
		return w ? w.scriptURL + ' ' + r.scope : '';
	})`, chromedp.EvalAwaitPromise)
}

// workerRegistration is the DevTools id of the live service worker
// registration whose scope is scope.
func (tb *tab) workerRegistration(scope string) serviceworker.RegistrationID {
	tb.b.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserStep)
	defer cancel()
	events := chromedp.Events(ctx, serviceworker.WorkerRegistrationUpdated)
	if _, err := chromedp.Call(ctx, serviceworker.Enable, cdp.Empty{}); err != nil {
		tb.fatal("enable the ServiceWorker domain", err)
	}
	for ev, err := range events {
		if err != nil {
			tb.fatal("wait for the registration of "+scope, err)
		}
		for _, r := range ev.Registrations {
			if r.ScopeURL == scope && !r.IsDeleted {
				return r.RegistrationID
			}
		}
	}
	tb.fatal("wait for the registration of "+scope, ctx.Err())
	return ""
}

// pushTo delivers a push message with data to the root's service worker
// as a push service would (DevTools' ServiceWorker.deliverPushMessage:
// the worker's push event, no subscription or network involved), and
// returns the notifications the registration then shows. Chromium drops
// about one delivery in three made through DevTools (no worker error is
// reported and the worker is running: the push event never fires), so a
// delivery that shows nothing within 3 s is made again, as a push service
// redelivers an unacknowledged message; the tag makes a repeat replace,
// not add, a notification, so a worker that showed two would still fail.
func (tb *tab) pushTo(data string) []shownPush {
	tb.b.t.Helper()
	origin := tb.b.app.server.URL
	id := tb.workerRegistration(origin + "/")
	for attempt := 1; ; attempt++ {
		if _, err := chromedp.Call(tb.ctx, serviceworker.DeliverPushMessage, serviceworker.DeliverPushMessageParams{
			Origin: origin, RegistrationID: id, Data: data,
		}); err != nil {
			tb.fatal("deliver a push message", err)
		}
		raw := evalAs[string](tb, "the worker's notifications", `(async () => {
			const r = await navigator.serviceWorker.getRegistration('/');
			for (let i = 0; i < 60; i++) {
				const ns = await r.getNotifications();
				if (ns.length) return JSON.stringify(ns.map((n) => ({title: n.title, tag: n.tag, body: n.body, url: n.data && n.data.url})));
				await new Promise((resolve) => setTimeout(resolve, 50));
			}
			return '[]';
		})()`, chromedp.EvalAwaitPromise)
		var out []shownPush
		if err := json.Unmarshal([]byte(raw), &out); err != nil {
			tb.fatal("read the worker's notifications", err)
		}
		if len(out) > 0 || attempt == 5 {
			return out
		}
		tb.b.t.Logf("push delivery %d showed no notification within 3 s; delivering again", attempt)
	}
}

type shownPush struct{ Title, Tag, Body, URL string }

// onNewDocument runs src before each document's own scripts.
func (tb *tab) onNewDocument(src string) {
	tb.b.t.Helper()
	if _, err := chromedp.Call(tb.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src}); err != nil {
		tb.fatal("add a script", err)
	}
}

// TestBrowserPush: on the settings page's notification card, "Also when no
// tab is open" shows where the browser has PushManager. Turned on in
// Chromium it registers /sw.js at the root and calls PushManager.subscribe
// with the app's VAPID key. Chromium reaches its push service (Google's
// FCM) over the network, which this machine has not, so subscribe fails
// here and the toggle says so; where it succeeds, the server must keep the
// subscription. Either way the worker is registered, and a push message
// delivered to it (as the push service would, through DevTools) shows the
// notification the server's message describes.
func TestBrowserPush(t *testing.T) {
	app := startApp(t, t.TempDir())
	b := startBrowser(t, app, "push")
	tb := b.newTab("bob", false)
	pagesSignUp(tb, "bob", false)
	tb.setNotifications(browser.PermissionSettingGranted)

	tb.visit("/settings", pushBox+`:not([hidden])`)
	if got := tb.text(pushBox); !contains(got, "Also when no tab is open", "the sender's name only") {
		t.Errorf("the push toggle says %q", got)
	}
	if s := tb.pushState(pushBox); s != "off" {
		t.Errorf("the push toggle starts %q; want off", s)
	}
	tb.check("notify card with push (off)", "settings-push-off")

	tb.do("turn push on", chromedp.Click(chromedp.CSS(`#push-toggle`)))
	state := tb.pushState(pushBox)
	if w := tb.registeredWorker(); w != app.server.URL+"/sw.js "+app.server.URL+"/" {
		t.Errorf("the root's service worker is %q; want /sw.js with scope /", w)
	}
	subs := bobsSubscriptions(t, app)
	switch state {
	case "on":
		t.Log("Chromium subscribed at its push service")
		if len(subs) != 1 {
			t.Errorf("Chromium subscribed, but the server keeps %d subscriptions; want 1", len(subs))
		}
	case "failed":
		t.Log("Chromium's own PushManager.subscribe failed (no push service reachable from here); the worker is registered")
		if got := tb.text(pushBox); !strings.Contains(got, "could not subscribe") || len(subs) != 0 {
			t.Errorf("a failed subscribe says %q and left %d subscriptions", got, len(subs))
		}
		tb.check("notify card with push (failed)", "settings-push-failed")
	default:
		t.Errorf("after turning push on the toggle is %q; want on, or failed where no push service answers", state)
	}

	msg, err := json.Marshal(newImageMessage("alice"))
	must(t, err)
	shown := tb.pushTo(string(msg))
	want := shownPush{Title: "New image from alice", Tag: "from:alice", URL: "/conversations/alice"}
	if len(shown) != 1 || shown[0] != want {
		t.Errorf("a push shows %+v; want just %+v", shown, want)
	}
	tb.checkConsole()
}

// TestBrowserPushSubscription: where the browser's push service answers,
// the toggle gives the server the subscription (POST /api/me/push) and
// turning it off removes it there and in the browser. Chromium here
// reaches no push service, so PushManager.subscribe is stood in for, in
// the page, by one answering a subscription with keys made here; the rest
// (the VAPID key asked for, the routes, the server's store) is real.
func TestBrowserPushSubscription(t *testing.T) {
	app := startApp(t, t.TempDir())
	b := startBrowser(t, app, "push-subscription")
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	must(t, err)
	auth := make([]byte, 16)
	rand.Read(auth)
	enc := base64.RawURLEncoding.EncodeToString
	endpoint := "https://push.example/chromium-token"
	tb := b.newTab("bob", false)
	tb.onNewDocument(`(() => {
		if (!window.PushManager) return;
		const sub = {
			endpoint: ` + jsString(endpoint) + `,
			toJSON() { return {endpoint: this.endpoint, expirationTime: null, keys: {p256dh: ` + jsString(enc(key.PublicKey().Bytes())) + `, auth: ` + jsString(enc(auth)) + `}}; },
			unsubscribe() { window.__unsubscribed = true; return Promise.resolve(true); },
		};
		PushManager.prototype.subscribe = function (opts) {
			const k = new Uint8Array(opts.applicationServerKey);
			window.__subscribed = {visible: opts.userVisibleOnly, key: btoa(String.fromCharCode(...k)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')};
			PushManager.prototype.getSubscription = () => Promise.resolve(sub);
			return Promise.resolve(sub);
		};
	})()`)
	pagesSignUp(tb, "bob", false)
	tb.setNotifications(browser.PermissionSettingGranted)
	tb.visit("/settings", pushBox+`:not([hidden])`)
	tb.pushState(pushBox)
	tb.do("turn push on", chromedp.Click(chromedp.CSS(`#push-toggle`)))
	if s := tb.pushState(pushBox); s != "on" {
		t.Fatalf("with a subscription the toggle is %q (%q); want on", s, tb.text(pushBox))
	}
	vapid := evalAs[string](tb, "the key subscribe got", `window.__subscribed.key`)
	if r := app.client().get("/api/push/key"); !strings.Contains(r.body, `"key":"`+vapid+`"`) || !tb.eval("visible", `window.__subscribed.visible === true`) {
		t.Errorf("subscribe got the key %q (userVisibleOnly %v); GET /api/push/key says %s", vapid, tb.eval("visible", `window.__subscribed.visible`), r.body)
	}
	if subs := bobsSubscriptions(t, app); len(subs) != 1 || !hasEndpoint(subs, endpoint) {
		t.Errorf("the server keeps %v; want just the browser's endpoint", subs)
	}
	tb.check("notify card with push (on)", "settings-push-on")

	tb.do("turn push off", chromedp.Click(chromedp.CSS(`#push-toggle`)))
	if s := tb.pushState(pushBox); s != "off" || !tb.eval("unsubscribed", `window.__unsubscribed === true`) {
		t.Errorf("turned off, the toggle is %q and the browser's subscription unsubscribed: %v", s, tb.eval("unsubscribed", `window.__unsubscribed === true`))
	}
	if subs := bobsSubscriptions(t, app); len(subs) != 0 {
		t.Errorf("turned off, the server still keeps %v", subs)
	}
	tb.checkConsole()
}

// TestBrowserPushAbsent: a browser without PushManager is not offered the
// toggle; the rest of the notification card works as before.
func TestBrowserPushAbsent(t *testing.T) {
	app := startApp(t, t.TempDir())
	b := startBrowser(t, app, "push-absent")
	tb := b.newTab("bob", false)
	tb.onNewDocument(`delete window.PushManager`)
	pagesSignUp(tb, "bob", false)
	tb.visit("/settings", notifyCard+` [data-notify-on]:not([hidden]), `+notifyCard+` [data-notify-off]:not([hidden])`)
	if !tb.eval("the toggle", `document.querySelector('[data-push]').hidden`) {
		t.Error("a browser without PushManager is shown the push toggle")
	}
	tb.checkConsole()
}

// TestBrowserReactPush: the React Account screen's notification card shows
// the same toggle where the browser has PushManager; the worker it
// registers is /sw.js?client=react, whose notifications open React's route.
func TestBrowserReactPush(t *testing.T) {
	dist := filepath.Join(repoRoot(t), "react", "dist")
	if _, err := os.Stat(filepath.Join(dist, "index.html")); err != nil {
		t.Fatalf("the React client is not built (%v): run `cd react && npm ci && npm run build` first (.ci/test does)", err)
	}
	app := startApp(t, t.TempDir(), func(c *Config) { c.ReactDir = dist })
	b := startBrowser(t, app, "react-push")
	tb := b.newTab("bob", false)
	reactSignUp(tb, "bob", false)
	tb.setNotifications(browser.PermissionSettingGranted)
	card := `section[aria-labelledby=browser-notifications-heading]`
	tb.do("open Account", chromedp.Click(chromedp.CSS(`a[href="#/account"]`)))
	tb.waitText("the push toggle", card, "Also when no tab is open")
	if s := tb.pushState(card + ` [data-push]`); s != "off" {
		t.Errorf("the React push toggle starts %q; want off", s)
	}
	tb.check("account notify card with push (off)", "account-push-off")
	tb.do("turn push on", chromedp.Click(chromedp.CSS(`#push-toggle`)))
	s := tb.pushState(card + ` [data-push]`)
	if w := tb.registeredWorker(); w != app.server.URL+"/sw.js?client=react "+app.server.URL+"/" {
		t.Errorf("React registered %q (toggle %q); want /sw.js?client=react with scope /", w, s)
	}
	subs := bobsSubscriptions(t, app)
	on := s == "on" && len(subs) == 1
	failed := s == "failed" && len(subs) == 0 && strings.Contains(tb.text(card), "could not subscribe")
	if !on && !failed {
		t.Errorf("after turning push on the React toggle is %q (%q) and the server keeps %d subscriptions; want on with one, or failed (no push service reachable) with none", s, tb.text(card+` [data-push]`), len(subs))
	}
	msg, err := json.Marshal(newImageMessage("alice"))
	must(t, err)
	want := shownPush{Title: "New image from alice", Tag: "from:alice", URL: "/react/#/conversations/alice"}
	if shown := tb.pushTo(string(msg)); len(shown) != 1 || shown[0] != want {
		t.Errorf("a push to React's worker shows %+v; want just %+v", shown, want)
	}
	tb.checkConsole()
}

// bobsSubscriptions is what the server keeps of bob's browsers.
func bobsSubscriptions(t *testing.T, app *testApp) []imageapp.PushSubscription {
	t.Helper()
	bob, err := app.backend.Users.UserByUsername(context.Background(), "bob")
	must(t, err)
	subs, err := app.backend.Push.PushSubscriptionsOf(context.Background(), bob.ID)
	must(t, err)
	return subs
}

func hasEndpoint(subs []imageapp.PushSubscription, endpoint string) bool {
	for _, s := range subs {
		if s.Endpoint == endpoint {
			return true
		}
	}
	return false
}
