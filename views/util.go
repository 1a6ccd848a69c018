package views

import "net/http"

func statusTitle(status int) string {
	switch status {
	case http.StatusNotFound:
		return "Not found"
	case http.StatusTooManyRequests:
		return "Slow down"
	case http.StatusUnauthorized, http.StatusForbidden:
		return "Not allowed"
	}
	if status >= 500 {
		return "Something went wrong"
	}
	return "That did not work"
}

func initial(name string) string {
	for _, r := range name {
		return string(r)
	}
	return "?"
}
