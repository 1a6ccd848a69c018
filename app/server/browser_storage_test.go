package server

import (
	"path/filepath"
	"testing"
)

func TestBrowserFullStorageNotice(t *testing.T)     { storageFlow(t, "storage-htmx", false, false) }
func TestBrowserFullStorageNoticeNoJS(t *testing.T) { storageFlow(t, "storage-nojs", true, false) }
func TestBrowserReactFullStorageNotice(t *testing.T) {
	storageFlow(t, "storage-react", false, true)
}

// storageFlow: once images fill bob's storage, his inbox
// says so above everything else, with a link to his message requests, on
// the pages with JavaScript on and off and in React (screenshots at 375 and
// 1280 px, axe with JavaScript).
func storageFlow(t *testing.T, flow string, jsOff, react bool) {
	app := startApp(t, t.TempDir(), func(c *Config) {
		c.QuotaBytes = 1 // one image fills it
		if react {
			c.ReactDir = filepath.Join(repoRoot(t), "react", "dist")
		}
	})
	b := startBrowser(t, app, flow)
	bob := b.newTab("bob", jsOff)
	if react {
		reactSignUp(bob, "bob", false)
	} else {
		pagesSignUp(bob, "bob", false)
	}
	sendAPI(t, app.signUp("alice"), "bob", testPNG(t, 64, 64))

	if react {
		bob.visit("/react/#/inbox", `[data-testid=storage-full]`)
		if !bob.eval("the notice links to the requests", `document.querySelector('[data-testid=storage-full] a[href="#/requests"]') !== null`) {
			t.Error("React's storage notice has no link to the requests")
		}
	} else {
		bob.visit("/inbox", `#storage-full`)
		if !bob.eval("the notice links to the requests", `document.querySelector('#storage-full a[href="/requests"]') !== null`) {
			t.Error("the inbox's storage notice has no link to /requests")
		}
	}
	bob.check("inbox, storage full", "inbox-storage-full")
}
