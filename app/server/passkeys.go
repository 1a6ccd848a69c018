package server

import (
	"fmt"
	"net/url"

	"imageapp/app/imageapp"
	"imageapp/app/passkeys"
)

// newPasskeys is the passkey service for the site people reach at
// cfg.PublicURL(): the relying party is that URL's host name, and the only
// origin an answer may come from is that URL. A browser refuses a passkey
// for an IP address, so a site reached by IP (no IMAGEAPP_BASE_URL, and
// an IP listen address) has passkeys that no browser will create.
func newPasskeys(cfg Config, ports imageapp.Ports) (*passkeys.Service, error) {
	public := cfg.PublicURL()
	u, err := url.Parse(public)
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("server: passkeys need the site's address, not %q", public)
	}
	return passkeys.New(passkeys.Config{RPID: u.Hostname(), DisplayName: cfg.AppName, Origins: []string{public}},
		ports.Passkeys, ports.Ceremonies, ports.Users, cfg.Now)
}
