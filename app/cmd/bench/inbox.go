package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/local"
	"imageapp/app/messaging"
)

// phaseInbox seeds one big inbox through the service, then times its pages
// (first, deep, HTML) and the unread count one request at a time, with
// `GET /healthz` interleaved as the noise floor, and explains the queries.
func (e *benchEnv) phaseInbox(ctx context.Context, rep *benchReport) error {
	var err error
	if e.reader, e.readerUser, err = e.signUp(ctx, "reader"); err != nil {
		return err
	}
	seedTime, err := e.seedInbox(ctx, "reader", e.o.InboxSize)
	if err != nil {
		return err
	}
	rep.Rows = append(rep.Rows, benchRow{
		Measure: fmt.Sprintf("Seed %d messages into one inbox (`Service.Send`, 4 senders, 8 at a time, with their previews)", e.o.InboxSize),
		Subject: fmt.Sprintf("%s (%.0f sends/s)", seedTime.Round(100*time.Millisecond),
			float64(e.o.InboxSize)/seedTime.Seconds()),
		Baseline: "—", Ratio: "—", Target: "(info)", Met: "—",
		Values: durs(seedTime),
	})
	cursor, seen, err := e.walkInbox(e.o.InboxSize * 9 / 10)
	if err != nil {
		return err
	}
	rows, err := e.inboxLatencies(cursor, seen)
	if err != nil {
		return err
	}
	rep.Rows = append(rep.Rows, rows...)
	plans, err := e.queryPlans(ctx, cursor)
	if err != nil {
		return err
	}
	rep.Notes = append(rep.Notes, fmt.Sprintf("**Inbox at scale**: %d messages to one user, seeded through "+
		"the app's `messaging.Service.Send` (tiny PNGs, from 4 senders, 8 sends at a time; every send is a full send: data key, "+
		"encrypted blob fsynced, row, notification mail fsynced, and its preview: the seed waits for the preview queue every few dozen sends, so that none is left to the app's sweep, which would make it minutes later during another phase), all unread. %d requests of each kind, interleaved, "+
		"one at a time, with `GET /healthz` interleaved as the noise floor (the baseline column: what the machine and "+
		"the HTTP stack alone cost at that moment; a high p99 there means the machine, not the query, was slow). The deep page is %d messages deep (the cursor was reached by following `next_cursor`). "+
		"The HTML inbox row is the page a browser gets (every unread message, up to 200, plus the first page of read "+
		"ones). `EXPLAIN QUERY PLAN` of the queries the message store of `app/local` runs (`Messages.QueryPlans`, "+
		"built by the code that runs them) on this database, and the median time of the store method alone:\n\n```\n%s```",
		e.o.InboxSize, e.o.Requests, seen, plans))
	return nil
}

// walkInbox follows next_cursor through the reader's inbox until depth
// messages were listed, and returns the cursor there.
func (e *benchEnv) walkInbox(depth int) (cursor string, seen int, err error) {
	for seen < depth {
		path := fmt.Sprintf("/api/messages?box=inbox&limit=%d", min(messaging.MaxPageSize, depth-seen))
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		raw, err := e.reader.call(e.reader.newRequest(http.MethodGet, path, nil, ""), http.StatusOK)
		if err != nil {
			return "", seen, err
		}
		var page struct {
			Messages []json.RawMessage `json:"messages"`
			Next     string            `json:"next_cursor"`
		}
		if err := json.Unmarshal(raw, &page); err != nil {
			return "", seen, err
		}
		seen += len(page.Messages)
		if page.Next == "" {
			return "", seen, fmt.Errorf("inbox: ran out of pages at %d of %d", seen, depth)
		}
		cursor = page.Next
	}
	return cursor, seen, nil
}

// inboxLatencies times each kind of request o.Requests times, interleaved,
// and reads p50 and p99 of each next to those of the noise floor.
func (e *benchEnv) inboxLatencies(cursor string, seen int) ([]benchRow, error) {
	measures := []struct {
		name string
		fn   timedFn
	}{
		{"Inbox first page (`GET /api/messages?box=inbox`)", e.timedGet("/api/messages?box=inbox")},
		{fmt.Sprintf("Inbox page %d deep (`…&cursor=`)", seen), e.timedGet("/api/messages?box=inbox&cursor=" + url.QueryEscape(cursor))},
		{"Unread count (`GET /api/me`)", e.timedGet("/api/me")},
		{"Inbox HTML page (`GET /inbox`, gzip)", e.timedGet("/inbox", "Accept-Encoding", "gzip")},
		{"noise floor", e.timedGet("/healthz")},
	}
	fns := make([]timedFn, len(measures))
	for i, m := range measures {
		fns[i] = m.fn
	}
	e.progress("inbox: %d requests each of %d kinds", e.o.Requests, len(fns))
	runtime.GC()
	res, err := interleaveNoGC(e.o.Requests, 5, fns...)
	if err != nil {
		return nil, err
	}
	floor := res[len(res)-1]
	f50, f99 := percentile(walls(floor), 50), percentile(walls(floor), 99)
	var rows []benchRow
	for i, m := range measures[:len(measures)-1] {
		p50, p99 := percentile(walls(res[i]), 50), percentile(walls(res[i]), 99)
		row := benchRow{
			Measure:  m.name,
			Subject:  fmt.Sprintf("p50 %s, p99 %s · CPU %s", fmtDur(p50), fmtDur(p99), fmtDur(cpuPerOp(res[i]))),
			Baseline: fmt.Sprintf("`GET /healthz` p50 %s, p99 %s · CPU %s", fmtDur(f50), fmtDur(f99), fmtDur(cpuPerOp(floor))),
			Ratio:    "—", Target: "p99 < 20 ms", Met: verdict(p99 < 20*time.Millisecond),
			Values: durs(p50, p99, f50, f99),
		}
		if i == 3 {
			row.Target, row.Met = "(info)", "—"
			row.Measure += fmt.Sprintf(", all %d unread", e.o.InboxSize)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// timedGet is one GET of path by the reader, with header name/value pairs.
func (e *benchEnv) timedGet(path string, hdr ...string) timedFn {
	return func() (sample, error) {
		req := e.reader.newRequest(http.MethodGet, path, nil, "")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		return timeIt(func() error {
			_, err := e.reader.drain(req, http.StatusOK)
			return err
		})
	}
}

// seedInbox sends n tiny images to username through the service, from four
// directory users, eight sends at a time, and makes their previews as it
// goes: the time includes them.
func (e *benchEnv) seedInbox(ctx context.Context, username string, n int) (time.Duration, error) {
	const senders, workers = 4, 8
	from, err := e.provisionSenders(ctx, username, senders)
	if err != nil {
		return 0, err
	}
	e.progress("seeding %d messages into %s's inbox", n, username)
	t0 := time.Now()
	lastReport := time.Now()
	var reportMu sync.Mutex
	// Each send queues its preview; a full queue would leave the rest to the
	// app's sweep, which would make them minutes later, in the middle of
	// another phase. So the seed goes in batches that fit the queue and
	// settles after each (the queue's Wait must not race with new sends).
	const batch = messaging.DefaultPreviewQueue - 2*workers
	for start := 0; start < n; start += batch {
		var next atomic.Int64
		next.Store(int64(start))
		end := int64(min(start+batch, n))
		err = concurrently(workers, func(w int) error {
			for {
				i := next.Add(1) - 1
				if i >= end {
					return nil
				}
				_, err := e.svc.Send(ctx, from[int(i)%senders], messaging.SendInput{
					To: username, Filename: "tiny.png", Body: bytes.NewReader(e.tiny),
				})
				if err != nil {
					return fmt.Errorf("seed message %d: %w", i, err)
				}
				reportMu.Lock()
				if time.Since(lastReport) > 10*time.Second {
					lastReport = time.Now()
					e.progress("  seeded %d/%d", i, n)
				}
				reportMu.Unlock()
			}
		})
		e.settle()
		if err != nil {
			return 0, err
		}
	}
	return time.Since(t0), nil
}

// provisionSenders makes n directory users to send to username, without
// signing them up: bench-sender-<username>-<i>.
func (e *benchEnv) provisionSenders(ctx context.Context, username string, n int) ([]imageapp.User, error) {
	from := make([]imageapp.User, n)
	for i := range from {
		u, err := e.prov(ctx, imageapp.User{
			ID: fmt.Sprintf("bench-sender-%s-%d", username, i), Username: fmt.Sprintf("%ss%d", username, i),
			Email: fmt.Sprintf("%s-sender%d@bench.example", username, i),
		})
		if err != nil {
			return nil, err
		}
		from[i] = u
	}
	return from, nil
}

// queryRuns is how many times each store method is timed for the plans note.
const queryRuns = 31

// queryPlans explains, on the reader's inbox, the queries the message store
// runs for each list the app asks for, and times each store method alone.
func (e *benchEnv) queryPlans(ctx context.Context, cursor string) (string, error) {
	inbox := imageapp.MessageQuery{UserID: e.readerUser.ID, Box: imageapp.Inbox, Status: imageapp.AllMessages, Limit: messaging.DefaultPageSize}
	deep, unread, read := inbox, inbox, inbox
	deep.Cursor = cursor
	unread.Status, unread.Limit = imageapp.UnreadMessages, 200
	read.Status = imageapp.ReadMessages
	sent := imageapp.MessageQuery{UserID: "bench-sender-reader-0", Box: imageapp.Sent, Cursor: cursor, Limit: messaging.DefaultPageSize}
	lists := []struct {
		what string
		q    imageapp.MessageQuery
	}{
		{"inbox, first page (Messages, box=inbox)", inbox},
		{"inbox, deep page (Messages, box=inbox, cursor)", deep},
		{"inbox, unread (Messages, status=unread)", unread},
		{"inbox, read (Messages, status=read; the HTML inbox's second list)", read},
		{"sent (Messages, box=sent, cursor; one of the 4 senders)", sent},
	}
	var out strings.Builder
	for _, l := range lists {
		if err := e.explainList(ctx, &out, l.what, l.q); err != nil {
			return "", err
		}
	}
	plans, err := e.msgs.QueryPlans(ctx, inbox)
	if err != nil {
		return "", fmt.Errorf("explain unread count: %w", err)
	}
	writePlan(&out, "unread count (CountUnread)", planOf(plans, "CountUnread"))
	var count int
	med, err := timeStore(func() (err error) {
		count, err = e.msgs.CountUnread(ctx, inbox.UserID)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("time unread count: %w", err)
	}
	fmt.Fprintf(&out, "  → count %d, median %s (store method alone, %d runs)\n", count, fmtDur(med), queryRuns)
	return out.String(), nil
}

// explainList writes the plan of the page query of q, and how long the
// store's Messages takes for it.
func (e *benchEnv) explainList(ctx context.Context, out *strings.Builder, what string, q imageapp.MessageQuery) error {
	plans, err := e.msgs.QueryPlans(ctx, q)
	if err != nil {
		return fmt.Errorf("explain %s: %w", what, err)
	}
	writePlan(out, what, planOf(plans, "Messages"))
	var rows int
	med, err := timeStore(func() error {
		page, err := e.msgs.Messages(ctx, q)
		rows = len(page.Messages)
		return err
	})
	if err != nil {
		return fmt.Errorf("time %s: %w", what, err)
	}
	fmt.Fprintf(out, "  → %d rows, median %s (store method alone, %d runs)\n", rows, fmtDur(med), queryRuns)
	return nil
}

func planOf(plans []local.QueryPlan, method string) []string {
	for _, p := range plans {
		if p.Method == method {
			return p.Steps
		}
	}
	return []string{"(no plan for " + method + ")"}
}

func writePlan(out *strings.Builder, what string, steps []string) {
	fmt.Fprintf(out, "%s\n", what)
	for _, s := range steps {
		fmt.Fprintf(out, "  %s\n", s)
	}
}

// timeStore runs fn queryRuns times and returns the median time.
func timeStore(fn func() error) (time.Duration, error) {
	ds := make([]time.Duration, 0, queryRuns)
	for range queryRuns {
		t0 := time.Now()
		if err := fn(); err != nil {
			return 0, err
		}
		ds = append(ds, time.Since(t0))
	}
	return median(ds), nil
}
