package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"imageapp/app/imageapp"
)

const MaxFormBytes = 64 << 10

// The forms of the account pages and their JSON twins. Field tags name the
// form fields (the contract scripts post with curl). Values are trimmed,
// except fields tagged ",raw": a password is taken as typed.

type signupForm struct {
	Username string `form:"username"`
	Email    string `form:"email"`
	Password string `form:"password,raw"`
}

type verifyForm struct {
	Username string `form:"username"`
	Code     string `form:"code"`
}

type usernameForm struct {
	Username string `form:"username"`
}

type loginForm struct {
	Username string `form:"username"`
	Password string `form:"password,raw"`
	Next     string `form:"next"`
	Keep     string `form:"keep,bool"` // "Keep me signed in on this device": see kept
}

type resetForm struct {
	Username string `form:"username"`
	Code     string `form:"code"`
	Password string `form:"password,raw"`
}

// deleteAccountForm confirms an account's deletion with its password.
type deleteAccountForm struct {
	Password string `form:"password,raw"`
}

type DeleteForm struct {
	Back    string `form:"back"`    // the mailbox the message was opened from
	Confirm string `form:"confirm"` // "yes" deletes; anything else asks first
}

// ReadForm decodes the request's fields into a T: a JSON object or an HTML
// form (urlencoded or multipart), whichever the request carries. A body
// over the limit is a 413, another media type a 415, a body that cannot be
// read a 400. A JSON value that is not a string is left empty, so the
// field's own check says what is wrong.
func ReadForm[T any](w http.ResponseWriter, r *http.Request) (T, error) {
	var form T
	values, err := formValues(w, r)
	if err != nil {
		return form, err
	}
	v := reflect.ValueOf(&form).Elem()
	for i := range v.NumField() {
		name, opts, _ := strings.Cut(v.Type().Field(i).Tag.Get("form"), ",")
		value := values(name)
		if opts == "bool" {
			value = values(name + boolSuffix)
		}
		if opts != "raw" {
			value = strings.TrimSpace(value)
		}
		v.Field(i).SetString(value)
	}
	return form, nil
}

// formValues reads the body and returns a lookup of its fields.
func formValues(w http.ResponseWriter, r *http.Request) (func(string) string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxFormBytes)
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	switch ctype {
	case "application/json":
		var raw map[string]any
		if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
			return nil, BodyError(FormTooLarge(err), "The request body is not valid JSON.")
		}
		return func(name string) string {
			if base, ok := strings.CutSuffix(name, boolSuffix); ok {
				return jsonBool(raw[base])
			}
			s, _ := raw[name].(string)
			return s
		}, nil
	case "multipart/form-data":
		err = r.ParseMultipartForm(MaxFormBytes)
	case "application/x-www-form-urlencoded", "":
		err = r.ParseForm() // no type: no body fields, so the field checks say what is missing
	default:
		return nil, imageapp.Errorf(imageapp.EUNSUPPORTED,
			"Send the fields as JSON (application/json) or as a form (urlencoded or multipart), not %s.", ctype)
	}
	if err != nil {
		return nil, BodyError(FormTooLarge(err), "The form could not be read.")
	}
	return func(name string) string {
		return r.PostFormValue(strings.TrimSuffix(name, boolSuffix))
	}, nil
}

// boolSuffix marks the lookup of a form:",bool" field: a checkbox in a
// form, true or "true" in JSON.
const boolSuffix = "\x00bool"

// jsonBool is a JSON checkbox value as a form would send it: "on" for
// true or "true", empty for anything else.
func jsonBool(v any) string {
	if b, ok := v.(bool); (ok && b) || v == "true" {
		return "on"
	}
	return ""
}

// checked reads a form:",bool" field: a ticked checkbox ("on", or a
// value a script would send).
func checked(v string) bool {
	switch strings.ToLower(v) {
	case "on", "true", "1", "yes":
		return true
	}
	return false
}

// errFormTooLarge is a form over MaxFormBytes: a 413 that names the form's
// limit, whatever the upload limit is.
var errFormTooLarge = &StatusError{http.StatusRequestEntityTooLarge, imageapp.ETOOLARGE,
	"The form is larger than the " + HumanBytes(MaxFormBytes) + " limit."}

// FormTooLarge turns the form's MaxBytesReader error into errFormTooLarge.
func FormTooLarge(err error) error {
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return errFormTooLarge
	}
	return err
}

// BodyError keeps the errors that have a status of their own (too large,
// too slow) and makes any other reading error a 400 with msg.
func BodyError(err error, msg string) error {
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) || errors.Is(err, errSlowBody) || err == errFormTooLarge || err == errPartHeaderTooLarge {
		return err
	}
	return fmt.Errorf("%w: %v", imageapp.Errorf(imageapp.EINVALID, "%s", msg), err)
}
