package pages

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
	"imageapp/app/web"
	"imageapp/app/web/webtest"
)

// TestBlockFormGoesBack: blocking or unblocking someone goes back to the
// page it came from with its flash, or to the inbox when that page is not
// on this site; an unknown person is a 404 page.
func TestBlockFormGoesBack(t *testing.T) {
	for _, c := range []struct {
		blocked bool
		back    string
		want    string
		did     string
	}{
		{true, "/conversations/eve", "/conversations/eve?flash=blocked", "SetBlocked eve true"},
		{false, "/settings", "/settings?flash=unblocked", "SetBlocked eve false"},
		{true, "https://evil.example/", "/inbox?flash=blocked", "SetBlocked eve true"},
	} {
		m := &mailbox{}
		w := webtest.Serve(newHandlers(&webtest.Accounts{}, m).BlockSubmit(c.blocked), webtest.WithParam(form("/people/eve/block", url.Values{"back": {c.back}}), "username", "eve"))
		redirectsTo(t, w, c.want)
		if len(m.did) != 1 || m.did[0] != c.did {
			t.Errorf("back %q: did %q; want %q", c.back, m.did, c.did)
		}
	}
	w := webtest.Serve(newHandlers(&webtest.Accounts{}, &mailbox{err: imageapp.ErrNoSuchUser()}).BlockSubmit(true), webtest.WithParam(form("/people/nobody/block", nil), "username", "nobody"))
	if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "There is no such user.") {
		t.Errorf("an unknown person: %d", w.Code)
	}
}

// TestRequestForms: accepting someone's requests is done at once, and
// goes back with its flash; deleting or blocking asks first (nothing
// changes) and, confirmed, is done and goes back with its flash.
func TestRequestForms(t *testing.T) {
	for _, c := range []struct {
		action web.RequestAction
		values url.Values
		want   string // the Location; "" for the question page
		did    string
	}{
		{web.AcceptRequests, url.Values{}, "/requests?flash=request-accepted", "AcceptRequests eve"},
		{web.DeleteRequests, url.Values{}, "", ""},
		{web.BlockRequests, url.Values{}, "", ""},
		{web.DeleteRequests, url.Values{"confirm": {"yes"}, "back": {"/conversations/eve"}}, "/conversations/eve?flash=request-deleted", "DeleteRequests eve"},
		{web.BlockRequests, url.Values{"confirm": {"yes"}}, "/requests?flash=request-blocked", "BlockRequests eve"},
	} {
		m := &mailbox{}
		w := webtest.Serve(newHandlers(&webtest.Accounts{}, m).RequestSubmit(c.action), webtest.WithParam(form("/requests/eve/"+string(c.action), c.values), "username", "eve"))
		if c.want == "" {
			if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `name="confirm" value="yes"`) || len(m.did) != 0 {
				t.Errorf("%s without confirm: %d, did %q; want the question: %s", c.action, w.Code, m.did, w.Body.String())
			}
			continue
		}
		redirectsTo(t, w, c.want)
		if len(m.did) != 1 || m.did[0] != c.did {
			t.Errorf("%s %v: did %q; want %q", c.action, c.values, m.did, c.did)
		}
	}
}

// TestRequestsPage: the requests page lists who waits and how many images;
// htmx gets the list alone; requests the service cannot read are an error
// page with its words.
func TestRequestsPage(t *testing.T) {
	m := &mailbox{requests: []messaging.Request{{From: imageapp.User{ID: "u-eve", Username: "eve"}, Count: 3, Latest: time.Now()}}}
	w := webtest.Serve(newHandlers(&webtest.Accounts{}, m).RequestsPage, asBob(http.MethodGet, "/requests", nil))
	if w.Code != http.StatusOK || !isFullPage(w) || !strings.Contains(w.Body.String(), "eve") || !strings.Contains(w.Body.String(), "3 images") {
		t.Errorf("%d: %s", w.Code, w.Body.String())
	}
	w = webtest.Serve(newHandlers(&webtest.Accounts{}, m).RequestsPage, htmx(asBob(http.MethodGet, "/requests", nil)))
	if w.Code != http.StatusOK || isFullPage(w) || !strings.HasPrefix(w.Body.String(), `<div id="requests"`) {
		t.Errorf("htmx: %d: %s", w.Code, w.Body.String())
	}
	m = &mailbox{err: imageapp.Errorf(imageapp.EUNAVAILABLE, "The store is busy.")}
	w = webtest.Serve(newHandlers(&webtest.Accounts{}, m).RequestsPage, asBob(http.MethodGet, "/requests", nil))
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "The store is busy.") {
		t.Errorf("unreadable: %d; want 503 with the service's words: %s", w.Code, w.Body.String())
	}
}

// TestUsersPage: the people page searches with ?q= and ?cursor= and lists
// who it finds; htmx gets the list alone.
func TestUsersPage(t *testing.T) {
	a := &webtest.Accounts{}
	w := webtest.Serve(newHandlers(a, &mailbox{}).UsersPage, asBob(http.MethodGet, "/users?q=ali&cursor=c-1", nil))
	if w.Code != http.StatusOK || !isFullPage(w) || !strings.Contains(w.Body.String(), "alice") || !a.Called("People ali c-1") {
		t.Errorf("%d, calls %q: %s", w.Code, a.Calls, w.Body.String())
	}
	w = webtest.Serve(newHandlers(a, &mailbox{}).UsersPage, htmx(asBob(http.MethodGet, "/users?q=ali", nil)))
	if w.Code != http.StatusOK || isFullPage(w) || !strings.HasPrefix(w.Body.String(), `<section id="user-list"`) || !strings.Contains(w.Body.String(), "alice") {
		t.Errorf("htmx: %d: %s", w.Code, w.Body.String())
	}
	a = &webtest.Accounts{Refuse: map[string]error{"People": imageapp.Errorf(imageapp.EINVALID, "Search with letters, digits, dots, dashes or underscores.")}}
	w = webtest.Serve(newHandlers(a, &mailbox{}).UsersPage, asBob(http.MethodGet, "/users?q=%25", nil))
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "Search with letters") {
		t.Errorf("a refused search: %d", w.Code)
	}
}
