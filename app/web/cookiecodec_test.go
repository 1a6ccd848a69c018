package web

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/gorilla/securecookie"
)

var testCookieKeys = [][]byte{bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)}

// sessionValues are what a login puts in the session cookie.
func sessionValues() map[any]any {
	return map[any]any{"uid": "0123456789abcdef0123456789abcdef", "name": "Alice", "sid": "fedcba9876543210fedcba9876543210",
		"ver": int64(3), "iat": int64(1796000000), "seen": int64(1796000100), "keep": true}
}

// TestCookieValues: a session's values come back from the cookie with
// their types (an int64 is not a float64, or checkSession would read no
// version and end the session); a cookie written as gob before the switch
// still reads, so an upgrade logs nobody out; the structs of the device
// and two-factor cookies round-trip; a value of another type is refused
// when the cookie is written, not lost when it is read; asGob writes what
// older versions read.
func TestCookieValues(t *testing.T) {
	codecs := CookieCodecs(testCookieKeys...)
	enc, err := securecookie.EncodeMulti("imageapp_session", sessionValues(), codecs...)
	if err != nil {
		t.Fatal(err)
	}
	got := map[any]any{}
	if err := securecookie.DecodeMulti("imageapp_session", enc, &got, codecs...); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, sessionValues()) {
		t.Fatalf("session values came back as %#v, want %#v", got, sessionValues())
	}

	old, err := securecookie.EncodeMulti("imageapp_session", sessionValues(), securecookie.CodecsFromPairs(testCookieKeys...)...) // gob
	if err != nil {
		t.Fatal(err)
	}
	got = map[any]any{}
	if err := securecookie.DecodeMulti("imageapp_session", old, &got, codecs...); err != nil {
		t.Fatalf("a gob session cookie from before JSON no longer reads: %v", err)
	}
	if !reflect.DeepEqual(got, sessionValues()) {
		t.Fatalf("a gob session cookie came back as %#v", got)
	}

	for _, v := range []any{deviceMark{User: "alice", ID: "abc"}, pendingMark{Token: "t", Keep: true, At: 1796000000}} {
		enc, err := securecookie.EncodeMulti("c", v, codecs...)
		if err != nil {
			t.Fatal(err)
		}
		back := reflect.New(reflect.TypeOf(v))
		if err := securecookie.DecodeMulti("c", enc, back.Interface(), codecs...); err != nil || !reflect.DeepEqual(back.Elem().Interface(), v) {
			t.Fatalf("%T came back as %#v (%v)", v, back.Elem().Interface(), err)
		}
	}

	// Written as gob for a cluster with older instances: they read it.
	asGob, err := securecookie.EncodeMulti("imageapp_session", sessionValues(), withCookieValues(securecookie.CodecsFromPairs(testCookieKeys...), true)...)
	if err != nil {
		t.Fatal(err)
	}
	got = map[any]any{}
	if err := securecookie.DecodeMulti("imageapp_session", asGob, &got, securecookie.CodecsFromPairs(testCookieKeys...)...); err != nil || !reflect.DeepEqual(got, sessionValues()) {
		t.Fatalf("a cookie written as gob does not read as gob: %#v (%v)", got, err)
	}

	// JSON that is not an object would be read back as gob: refused.
	if _, err := securecookie.EncodeMulti("c", "a string", codecs...); err == nil {
		t.Fatal("a string was written as a cookie's JSON; it would not read back")
	}
	bad := sessionValues()
	bad["at"] = 1.5
	if _, err := securecookie.EncodeMulti("imageapp_session", bad, codecs...); err == nil || !strings.Contains(err.Error(), `"at"`) {
		t.Fatalf("a float64 session value was written (err %v); it would come back as another type", err)
	}
}

// TestGobNeverLooksLikeJSON: cookieValues tells a gob cookie by its first
// byte, which for every value the app keeps in a cookie is not '{'.
func TestGobNeverLooksLikeJSON(t *testing.T) {
	for _, v := range []any{sessionValues(), map[any]any{}, deviceMark{User: "alice", ID: "abc"}, pendingMark{Token: "t"}} {
		data, err := securecookie.GobEncoder{}.Serialize(v)
		if err != nil {
			t.Fatal(err)
		}
		if data[0] == '{' {
			t.Errorf("gob of %T starts with '{': it would be read as JSON", v)
		}
	}
}

// BenchmarkSessionCookie decodes a session cookie as every authenticated
// request does, with gob (securecookie's default: the baseline) and with
// the app's JSON values: go test ./app/web -bench SessionCookie
func BenchmarkSessionCookie(b *testing.B) {
	for _, c := range []struct {
		name   string
		codecs []securecookie.Codec
	}{{"gob", securecookie.CodecsFromPairs(testCookieKeys...)}, {"json", CookieCodecs(testCookieKeys...)}} {
		b.Run(c.name, func(b *testing.B) {
			enc, err := securecookie.EncodeMulti("imageapp_session", sessionValues(), c.codecs...)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				got := map[any]any{}
				if err := securecookie.DecodeMulti("imageapp_session", enc, &got, c.codecs...); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(enc)), "cookie-bytes") // after the loop, which resets the metrics
		})
	}
}
