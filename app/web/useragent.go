package web

import "strings"

// deviceName describes a User-Agent in a few words for the session list,
// like "Firefox on Linux" or "curl": never the header itself, which is
// long, says more than the person needs, and is the client's to choose.
func deviceName(ua string) string {
	if ua == "" {
		return "Unknown device"
	}
	for _, tool := range []struct{ token, name string }{
		{"curl/", "curl"}, {"Wget/", "Wget"}, {"Go-http-client", "Go program"}, {"python-requests", "Python program"},
		{"HeadlessChrome", "Headless Chrome"},
	} {
		if strings.Contains(ua, tool.token) {
			return tool.name + onOS(ua)
		}
	}
	return browserName(ua) + onOS(ua)
}

// browserName is the browser a User-Agent names; order matters, as most
// of them claim to be the ones before them too.
func browserName(ua string) string {
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"EdgA/", "Edge"}, {"OPR/", "Opera"}, {"SamsungBrowser/", "Samsung Internet"},
		{"Firefox/", "Firefox"}, {"FxiOS/", "Firefox"}, {"CriOS/", "Chrome"}, {"Chromium/", "Chromium"},
		{"Chrome/", "Chrome"}, {"Safari/", "Safari"},
	} {
		if strings.Contains(ua, b.token) {
			return b.name
		}
	}
	return "Unknown browser"
}

// onOS is " on <system>" for the system a User-Agent names, or "".
func onOS(ua string) string {
	for _, o := range []struct{ token, name string }{
		{"Android", "Android"}, {"iPhone", "iPhone"}, {"iPad", "iPad"}, {"CrOS", "ChromeOS"},
		{"Windows", "Windows"}, {"Macintosh", "macOS"}, {"Mac OS X", "macOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, o.token) {
			return " on " + o.name
		}
	}
	return ""
}
