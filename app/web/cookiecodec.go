package web

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/gorilla/securecookie"
)

// CookieCodecs are the codecs of the app's signed cookies (the session,
// the device, a pending two-factor login) for the given key pairs, as
// securecookie.CodecsFromPairs makes them, with the values encoded by
// cookieValues instead of gob.
func CookieCodecs(keyPairs ...[]byte) []securecookie.Codec {
	return withCookieValues(securecookie.CodecsFromPairs(keyPairs...), false)
}

// withCookieValues makes codecs read JSON and gob and write JSON, or gob
// when asGob (Options.GobCookies).
func withCookieValues(codecs []securecookie.Codec, asGob bool) []securecookie.Codec {
	for _, c := range codecs {
		if sc, ok := c.(*securecookie.SecureCookie); ok {
			sc.SetSerializer(cookieValues{asGob: asGob})
		}
	}
	return codecs
}

// cookieValues encodes a cookie's values as JSON before securecookie signs
// and encrypts them. securecookie's default, gob, builds a decoder for the
// value's types on every request: it was the larger part of checking a
// session (bench README). A session's values are strings, int64s and bools,
// and come back as those types. Cookies written as gob before this still
// decode until they expire, so nobody is logged out by an upgrade: gob
// starts a stream with its length, never with '{' (TestGobNeverLooksLikeJSON).
// A version from before cannot read JSON, so a cluster that may still run
// one (a rolling deploy, a rollback) writes gob until none is left
// (asGob; IMAGEAPP_COOKIE_VALUES). Only values that passed the cookie's MAC
// reach Deserialize.
type cookieValues struct{ asGob bool }

func (c cookieValues) Serialize(src any) ([]byte, error) {
	if c.asGob {
		return securecookie.GobEncoder{}.Serialize(src)
	}
	if m, ok := src.(map[any]any); ok { // a session's Values
		obj := make(map[string]any, len(m))
		for k, v := range m {
			key, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("web: cookie value key %v is a %T, not a string", k, k)
			}
			switch v.(type) {
			case string, int64, bool:
			default:
				return nil, fmt.Errorf("web: cookie value %q is a %T; a session keeps strings, int64s and bools", key, v)
			}
			obj[key] = v
		}
		src = obj
	}
	data, err := json.Marshal(src)
	if err == nil && (len(data) == 0 || data[0] != '{') {
		// Deserialize would take it for gob.
		return nil, fmt.Errorf("web: a cookie holds a map or a struct, not a %T", src)
	}
	return data, err
}

func (cookieValues) Deserialize(data []byte, dst any) error {
	if len(data) == 0 || data[0] != '{' {
		return securecookie.GobEncoder{}.Deserialize(data, dst) // written before cookies were JSON
	}
	values, ok := dst.(*map[any]any)
	if !ok {
		return json.Unmarshal(data, dst)
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber() // an int64 comes back as an int64, not a float64
	var obj map[string]any
	if err := d.Decode(&obj); err != nil {
		return err
	}
	if *values == nil {
		*values = make(map[any]any, len(obj))
	}
	for k, v := range obj {
		switch v := v.(type) {
		case json.Number:
			n, err := v.Int64()
			if err != nil {
				return fmt.Errorf("web: cookie value %q: %w", k, err)
			}
			(*values)[k] = n
		case string, bool:
			(*values)[k] = v
		default:
			return fmt.Errorf("web: cookie value %q is a %T", k, v)
		}
	}
	return nil
}
