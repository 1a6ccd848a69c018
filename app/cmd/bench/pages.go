package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"

	"imageapp/app/imageapp"
)

// assetRef is an asset the page itself loads: a src or href attribute,
// not a data-…-src that a script fetches only when asked (notify.js, once
// the person turned notifications on).
var assetRef = regexp.MustCompile(`\s(?:href|src)="(/static/[^"]+)"`)
var hashedName = regexp.MustCompile(`^/static/[A-Za-z0-9_-]+(\.min)?\.[0-9a-f]{10}\.(css|js|svg)$`)

// phasePages weighs the HTML inbox as a browser gets it (the page and every
// asset it references) and its htmx refresh, for an ordinary inbox and, when
// the inbox phase ran, for the big one; and checks how the assets are served.
func (e *benchEnv) phasePages(ctx context.Context, rep *benchReport) error {
	carol, err := e.ordinaryInbox(ctx)
	if err != nil {
		return err
	}
	type user struct {
		who string
		c   *hclient
	}
	users := []user{{"10 messages (5 unread)", carol}}
	if e.reader != nil {
		users = append(users, user{fmt.Sprintf("%d unread (page lists 200)", e.o.InboxSize), e.reader})
	}
	var assets []assetInfo
	for ui, u := range users {
		v, err := firstVisit(u.c)
		if err != nil {
			return err
		}
		rep.Rows = append(rep.Rows, v.row(u.who))
		hx, err := htmxRefreshRow(u.c, u.who)
		if err != nil {
			return err
		}
		rep.Rows = append(rep.Rows, hx)
		if ui == 0 {
			rep.Rows = append(rep.Rows, v.assetsRow())
			assets = v.assets
		}
	}
	rep.Notes = append(rep.Notes, assetsNote(assets))
	return nil
}

// ordinaryInbox signs carol up and sends her ten messages, five of which she
// opens.
func (e *benchEnv) ordinaryInbox(ctx context.Context) (*hclient, error) {
	carol, carolUser, err := e.signUp(ctx, "carol")
	if err != nil {
		return nil, err
	}
	if _, err := e.seedInbox(ctx, "carol", 10); err != nil {
		return nil, err
	}
	page, err := e.svc.List(ctx, carolUser, imageapp.MessageQuery{Box: imageapp.Inbox, Limit: 5})
	if err != nil {
		return nil, err
	}
	for _, m := range page.Messages {
		if _, err := e.svc.Open(ctx, carolUser, m.ID); err != nil {
			return nil, err
		}
	}
	return carol, nil
}

// wireResp is one response as it crossed the wire.
type wireResp struct {
	*http.Response
	body   []byte // as sent: compressed when gzip
	header int    // bytes of the status line and the headers
}

// wire GETs with `Accept-Encoding: gzip` and keeps what came over the wire.
func (c *hclient) wire(req *http.Request) (wireResp, error) {
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := c.hc.Do(req)
	if err != nil {
		return wireResp{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return wireResp{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return wireResp{}, fmt.Errorf("GET %s: status %d", req.URL.Path, resp.StatusCode)
	}
	var hb bytes.Buffer
	fmt.Fprintf(&hb, "HTTP/1.1 %s\r\n", resp.Status)
	resp.Header.Write(&hb)
	hb.WriteString("\r\n")
	return wireResp{Response: resp, body: raw, header: hb.Len()}, nil
}

func (w wireResp) gzipped() bool { return w.Header.Get("Content-Encoding") == "gzip" }

// visit is a first visit to /inbox: the page, then every asset it names.
type visit struct {
	bodies, headers int
	html            []byte // the page, uncompressed
	htmlGz          bool
	parts           []string // what each response weighed
	assets          []assetInfo
}

type assetInfo struct {
	path                  string
	bytes                 int
	gz, immutable, hashed bool
	cacheControl          string
}

func firstVisit(c *hclient) (*visit, error) {
	page, err := c.wire(c.newRequest(http.MethodGet, "/inbox", nil, ""))
	if err != nil {
		return nil, err
	}
	v := &visit{bodies: len(page.body), headers: page.header, html: page.body, htmlGz: page.gzipped()}
	if v.htmlGz {
		zr, err := gzip.NewReader(bytes.NewReader(page.body))
		if err != nil {
			return nil, err
		}
		if v.html, err = io.ReadAll(zr); err != nil {
			return nil, err
		}
	}
	v.parts = append(v.parts, fmt.Sprintf("HTML %s (%s raw)", fmtBytes(float64(len(page.body))), fmtBytes(float64(len(v.html)))))
	refs := assetRef.FindAllSubmatch(v.html, -1)
	if len(refs) == 0 {
		return nil, errors.New("pages: /inbox references no /static/ asset")
	}
	for _, m := range refs {
		path := string(m[1])
		a, err := c.wire(c.newRequest(http.MethodGet, path, nil, ""))
		if err != nil {
			return nil, err
		}
		v.bodies += len(a.body)
		v.headers += a.header
		cc := a.Header.Get("Cache-Control")
		v.assets = append(v.assets, assetInfo{path: path, bytes: len(a.body), gz: a.gzipped(), cacheControl: cc,
			immutable: strings.Contains(cc, "immutable") && strings.Contains(cc, "max-age=31536000"),
			hashed:    hashedName.MatchString(path)})
		v.parts = append(v.parts, fmt.Sprintf("%s %s", filepath.Base(path), fmtBytes(float64(len(a.body)))))
	}
	return v, nil
}

func (v *visit) row(who string) benchRow {
	total := v.bodies + v.headers
	return benchRow{
		Measure: fmt.Sprintf("Page weight: first visit to `/inbox`, %s", who),
		Subject: fmt.Sprintf("%s on the wire (%s bodies + %s headers): %s", fmtBytes(float64(total)),
			fmtBytes(float64(v.bodies)), fmtBytes(float64(v.headers)), strings.Join(v.parts, ", ")),
		Baseline: "—", Ratio: "—",
		Target: "≤ 30 KiB",
		Met:    verdict(total <= 30<<10),
		Values: []float64{float64(total), float64(len(v.html))},
	}
}

// assetsRow: the page and every asset are gzipped, every asset is cached
// for a year as immutable under a content-hashed name.
func (v *visit) assetsRow() benchRow {
	gz, immutable, hashed := v.htmlGz, true, true
	for _, a := range v.assets {
		gz, immutable, hashed = gz && a.gz, immutable && a.immutable, hashed && a.hashed
	}
	return benchRow{
		Measure:  "Static assets: gzip, `immutable` 1-year cache, content-hashed names",
		Subject:  fmt.Sprintf("gzip %v, immutable %v, hashed %v (%d assets)", gz, immutable, hashed, len(v.assets)),
		Baseline: "—", Ratio: "—", Target: "all three",
		Met:    verdict(gz && immutable && hashed),
		Values: []float64{float64(len(v.assets))},
	}
}

func htmxRefreshRow(c *hclient, who string) (benchRow, error) {
	req := c.newRequest(http.MethodGet, "/inbox", nil, "")
	req.Header.Set("HX-Request", "true")
	hx, err := c.wire(req)
	if err != nil {
		return benchRow{}, err
	}
	body, hdr := len(hx.body), hx.header
	return benchRow{
		Measure:  fmt.Sprintf("Page weight: htmx inbox refresh (`GET /inbox`, `HX-Request: true`), %s", who),
		Subject:  fmt.Sprintf("%s on the wire (%s body + %s headers)", fmtBytes(float64(body+hdr)), fmtBytes(float64(body)), fmtBytes(float64(hdr))),
		Baseline: "—", Ratio: "—", Target: "(info)", Met: "—",
		Values: []float64{float64(body + hdr)},
	}, nil
}

func assetsNote(assets []assetInfo) string {
	var lines []string
	for _, a := range assets {
		lines = append(lines, fmt.Sprintf("| `%s` | %s | %v | `%s` | %v |", a.path, fmtBytes(float64(a.bytes)), a.gz, a.cacheControl, a.hashed))
	}
	return "**Page weight**: bytes as served with `Accept-Encoding: gzip` (compressed bodies " +
		"plus the response headers as written), logged in, no cache. Assets the inbox references:\n\n" +
		"| asset | gzip bytes | gzip | Cache-Control | hashed name |\n|---|---|---|---|---|\n" + strings.Join(lines, "\n")
}
