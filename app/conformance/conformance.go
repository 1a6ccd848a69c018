// Package conformance is one behaviour suite for every backend: the rules of
// sending, listing, opening and deleting images, of tamper detection, and of
// sign-up and login, written once against the ports and the messaging
// service. Each backend's test calls Run with a factory of fresh backends.
package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"imageapp/app/envelope"
	"imageapp/app/imageapp"
	"imageapp/app/messaging"
	"imageapp/app/provision"
)

// asker is who asks for the codes the suite sends and tries: the suite
// calls the ports itself.
var asker = imageapp.Tool("conformance")

// Backend is one fresh, empty set of adapters.
type Backend struct {
	imageapp.Ports

	// Code returns the newest code (confirmation or reset) mailed to email.
	Code func(t testing.TB, email string) string

	// MailDigests coalesces notification mail (imageapp.MailDigests).
	MailDigests imageapp.MailDigests

	// PassTime makes d pass on the clocks of the identity and directory
	// adapters (codes expire, claims end).
	PassTime func(d time.Duration)

	// Records keeps the decrypt records (decryptrecord.go).
	Records imageapp.DecryptRecord
}

// Factory returns a fresh backend for one test.
type Factory func(t *testing.T) *Backend

// Run runs the suite against the backends newBackend makes.
func Run(t *testing.T, newBackend Factory) {
	tests := []struct {
		name string
		fn   func(t *testing.T, e *env)
	}{
		{"SendAndOpen", testSendAndOpen},
		{"InboxNewestFirstInPages", testInboxPages},
		{"StatusFiltersAndMarkRead", testStatusAndMarkRead},
		{"DeleteByRecipientAndSender", testDelete},
		{"OthersCannotSeeAMessage", testAuthorization},
		{"SwappedWrappedKeysFailIntegrity", testSwappedKeys},
		{"SwappedBlobsFailIntegrity", testSwappedBlobs},
		{"FlippedBlobByteNeverYieldsWrongBytes", testFlippedByte},
		{"DuplicateUsernamesRegardlessOfCase", testDuplicateUsernames},
		{"WrongCode", testWrongCode},
		{"UnconfirmedLogin", testUnconfirmedLogin},
		{"UnknownUserAndWrongPasswordLookAlike", testWrongLogin},
		{"ProvisioningIsIdempotent", testProvisioningIdempotent},
		{"DirectorySearch", testDirectorySearch},
		{"SendFaultsLeaveNothingBehind", testSendFaults},
		{"OpenFaultsAreErrors", testOpenFaults},
		{"SweeperRemovesOnlyOldOrphans", testSweepOrphans},
		{"SweepCostGrowsWithOrphansNotMessages", testSweepCost},
		{"SweepCountsOnlyBlobsThatWereThere", testSweepCountsOnlyStoredBlobs},
		{"RequestBytesCountWaitingRequestsOnly", testRequestBytes},
		{"DeleteLeavesAFailedBlobToTheSweeper", testDeleteBlobFails},
		{"DirectoryPagesInOrder", testDirectoryPages},
		{"ConcurrentSendsAllArrive", testConcurrentSends},
		{"StorageQuotaCountsStoredReceivedBytes", testStorageQuota},
		{"PreviewsSealedPerUserOneUnwrapAPage", testThumbnails},
		{"ThumbKeyIsSetOnce", testThumbKeyIsSetOnce},
		{"CostlyImagesGetACaptionOnlyPreview", testCostlyImagesGoWithoutThumbnail},
		{"DuePreviewsAreRedoneBySweep", testDuePreviewsAreRedoneBySweep},
		{"SetPreviewsOfAGoneMessage", testSetPreviewsOfAGoneMessage},
		{"AClosedImageReadsNothing", testAClosedImageReadsNothing},
		{"ConversationBothWaysInPages", testConversation},
		{"ExpiredMessagesAreGoneAtOnceAndShredded", testExpiry},
		{"ViewOnceOpensOnceThenIsShredded", testViewOnce},
		{"DeleteAccountDestroysTheKeyAndRetiresTheName", testDeleteAccount},
		{"BlockedSendersAreWithheldAndNotTold", testBlocking},
		{"StrangersImagesWaitAsMessageRequests", testMessageRequests},
		{"PrivacySettingsRoundTrip", testPrivacyRoundTrips},
		{"HiddenUsersLeaveTheDirectory", testHiddenUsersLeaveTheDirectory},
		{"ReadReceiptsOffHideReadState", testReadReceiptsOff},
		{"OpenedEventWithReceiptsOn", testOpenedEventWithReceiptsOn},
		{"ChangePasswordChecksTheCurrentOne", testChangePassword},
		{"SessionRegistryListsAndEnds", testSessionRegistry},
		{"MailOffSendsNoNotification", testMailOff},
		{"EmailChangeWaitsForTheCode", testEmailChange},
		{"SignUpCannotTakeANameBeingDeleted", testSignUpCannotTakeANameBeingDeleted},
		{"ADeletionThatStoppedCanBeFinished", testADeletionThatStoppedCanBeFinished},
		{"LookAlikeUsernamesAreRefused", testLookAlikeUsernamesAreRefused},
		{"UnconfirmedAccountsLoseTheirNameWithTheirCode", testUnconfirmedAccountsLoseTheirNameWithTheirCode},
		{"SendKeysAnswerARetryOnce", testSendKeys},
		{"AnExpiringImagesStreamIsCutAtTheExpiry", testExpiringStreamIsCut},
		{"TwoFactorEnrolAndSignIn", testTwoFactorEnrolAndSignIn},
		{"TwoFactorCodeIsUsedOnce", testTwoFactorCodeIsUsedOnce},
		{"TwoFactorOffNeedsPasswordAndCode", testTwoFactorOffNeedsPasswordAndCode},
		{"TwoFactorTriesAreLimited", testTwoFactorTriesAreLimited},
		{"PasskeysRegisterSignInAndRemove", testPasskeys},
		{"PasskeyCountersOnlyGoUp", testPasskeyCounterRace},
		{"PushSubscriptionsRoundTrip", testPushSubscriptions},
		{"DeleteAccountForgetsSignInMethods", testDeleteAccountForgetsSignIn},
		{"TwoFactorLoginWaitsForTheCode", testTwoFactorLoginWaitsForTheCode},
		{"KeptSessionsLastThirtyDaysFromTheirLastUse", testKeptSessions},
		{"EveryDecryptIsRecorded", testEveryDecryptIsRecorded},
		{"ARecordThatCannotBeWrittenRefusesTheDecrypt", testARecordThatCannotBeWrittenRefusesTheDecrypt},
		{"ConcurrentAppendsKeepOneChain", testConcurrentAppendsKeepOneChain},
		{"RecordGoesWithTheAccountAndExpires", testRecordGoesWithTheAccountAndExpires},
		{"ABurstMailsOnceThenOneDigest", testABurstMailsOnceThenOneDigest},
		{"ADigestSurvivesAFailedMail", testADigestSurvivesAFailedMail},
		{"OneInstanceMailsAtOnce", testOneInstanceMailsAtOnce},
		{"GoneMessagesSayWhatHappened", testGoneMessagesSayWhatHappened},
		{"CodesNeedARequester", testCodesNeedARequester},
		{"AReplyKeepsTheImageItQuotes", testAReplyKeepsTheImageItQuotes},
		{"AlbumsShareAnIDAndKeepTheirOwnKeys", testAlbumsShareAnIDAndKeepTheirOwnKeys},
		{"ARefusedAlbumImageStoresNothing", testARefusedAlbumImageStoresNothing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBackend(t)
			tc.fn(t, newEnv(t, b))
		})
	}
}

// env is a backend with the messaging service wired over it the way the
// app wires it, and a clock that ticks one second per message.
type env struct {
	*Backend
	ctx   context.Context
	svc   *messaging.Service
	deps  provision.Deps
	clock *clock
}

func newEnv(t *testing.T, b *Backend) *env {
	deps := provision.Deps{Keys: b.Keys, Notifier: b.Notifier, Users: b.Users}
	clock := &clock{t: time.Now().UTC().Truncate(time.Second)}
	svc := &messaging.Service{
		Stores: messaging.StoresOf(b.Ports), Provision: provision.For(deps),
		App: "imageapp", Now: clock.now, Log: slog.New(slog.DiscardHandler), ThumbKeys: &messaging.ThumbKeyCache{},
	}
	return &env{Backend: b, ctx: context.Background(), svc: svc, deps: deps, clock: clock}
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// advance makes d pass on the service's clock.
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const password = "correct horse battery"

func emailOf(name string) string { return strings.ToLower(name) + "@example.com" }

// user signs name up, confirms with the mailed code, logs in and returns
// the provisioned directory entry, as the web layer's login does.
func (e *env) user(t *testing.T, name string) imageapp.User {
	t.Helper()
	if err := e.Identity.SignUp(e.ctx, asker, imageapp.SignUpInput{Username: name, Email: emailOf(name), Password: password}); err != nil {
		t.Fatalf("sign up %s: %v", name, err)
	}
	if err := e.Identity.Confirm(e.ctx, asker, name, e.Code(t, emailOf(name))); err != nil {
		t.Fatalf("confirm %s: %v", name, err)
	}
	p, err := e.Identity.Login(e.ctx, asker, name, password)
	if err != nil {
		t.Fatalf("login %s: %v", name, err)
	}
	if !strings.EqualFold(p.Username, name) || p.Email != emailOf(name) || p.ID == "" {
		t.Fatalf("login %s gave principal %+v", name, p)
	}
	u, err := provision.User(e.ctx, e.deps, imageapp.User{ID: p.ID, Username: p.Username, Email: p.Email})
	if err != nil {
		t.Fatalf("provision %s: %v", name, err)
	}
	return u
}

// send sends img from one user to another and returns the message.
func (e *env) send(t *testing.T, from imageapp.User, to string, img []byte, caption string) *imageapp.Message {
	t.Helper()
	m, err := e.svc.Send(e.ctx, from, messaging.SendInput{To: to, Caption: caption, Filename: "photo.png", Body: bytes.NewReader(img)})
	if err != nil {
		t.Fatalf("send from %s to %s: %v", from.Username, to, err)
	}
	return m
}

// readImage opens and reads the whole image, returning what was read and
// the error that stopped it.
func (e *env) readImage(viewer imageapp.User, id string) ([]byte, error) {
	img, err := e.svc.OpenImage(e.ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	defer img.Close()
	return io.ReadAll(img)
}

// pngImage is a PNG of noise, so it does not compress: w*h*3 bytes or so.
func pngImage(t testing.TB, w, h int, seed uint64) []byte {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, seed))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(r.Uint32()), uint8(r.Uint32()), uint8(r.Uint32()), 255
	}
	img.Set(0, 0, color.NRGBA{R: uint8(seed), A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := imageapp.ErrorCode(err); got != code {
		t.Errorf("%s: error %v (code %q); want code %q", what, err, got, code)
	}
}

func testSendAndOpen(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	img := pngImage(t, 64, 48, 1)
	m := e.send(t, alice, "BOB", img, "  Look at this!  ")
	if m.SenderID != alice.ID || m.RecipientID != bob.ID || m.ContentType != "image/png" || m.Size != int64(len(img)) ||
		m.KeyID != bob.KeyID {
		t.Errorf("sent message = %+v; want alice → bob, image/png, %d bytes, under bob's key", m, len(img))
	}

	stored, err := e.Messages.Message(e.ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(stored.SealedMeta, []byte("Look at this")) || bytes.Contains(stored.SealedMeta, []byte("photo.png")) {
		t.Error("the caption or file name is stored in the clear")
	}
	blob := readBlob(t, e, m.ID)
	if bytes.Contains(blob, img[:64]) || bytes.Contains(blob, []byte("IHDR")) {
		t.Error("the blob holds plaintext image bytes")
	}

	opened, err := e.svc.Open(e.ctx, alice, m.ID)
	if err != nil {
		t.Fatalf("sender opens: %v", err)
	}
	if opened.Caption != "Look at this!" || opened.Filename != "photo.png" || !opened.Unread() {
		t.Errorf("sender's view: caption %q, file %q, unread %v; want the caption trimmed, photo.png, still unread",
			opened.Caption, opened.Filename, opened.Unread())
	}
	opened, err = e.svc.Open(e.ctx, bob, m.ID)
	if err != nil {
		t.Fatalf("recipient opens: %v", err)
	}
	if opened.Caption != "Look at this!" || opened.Unread() {
		t.Errorf("recipient's view: caption %q, unread %v; want the caption, and read", opened.Caption, opened.Unread())
	}
	for _, viewer := range []imageapp.User{bob, alice} {
		got, err := e.readImage(viewer, m.ID)
		if err != nil || !bytes.Equal(got, img) {
			t.Errorf("%s reads the image: %d bytes, %v; want the %d bytes sent", viewer.Username, len(got), err, len(img))
		}
	}

	if _, err := e.svc.Send(e.ctx, alice, messaging.SendInput{To: "nobody", Body: bytes.NewReader(img)}); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		t.Errorf("sending to an unknown user = %v; want ENOTFOUND", err)
	}
}

func testInboxPages(t *testing.T, e *env) {
	alice, bob, carol := e.user(t, "alice"), e.user(t, "bob"), e.user(t, "carol")
	var sent []string
	for i := range 5 {
		from := alice
		if i%2 == 1 {
			from = carol
		}
		sent = append([]string{e.send(t, from, "bob", pngImage(t, 8, 8, uint64(i)), "").ID}, sent...)
	}
	var got []string
	q := imageapp.MessageQuery{Box: imageapp.Inbox, Limit: 2}
	for pages := 1; ; pages++ {
		page, err := e.svc.List(e.ctx, bob, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Messages) > 2 {
			t.Fatalf("page %d has %d messages; limit 2", pages, len(page.Messages))
		}
		for _, m := range page.Messages {
			got = append(got, m.ID)
		}
		if page.Next == "" {
			if pages != 3 {
				t.Errorf("5 messages in pages of 2 took %d pages, want 3", pages)
			}
			break
		}
		if pages > 5 {
			t.Fatal("the cursor does not advance")
		}
		q.Cursor = page.Next
	}
	if strings.Join(got, ",") != strings.Join(sent, ",") {
		t.Errorf("inbox order %v; want newest first %v", got, sent)
	}
	page, err := e.svc.List(e.ctx, alice, imageapp.MessageQuery{Box: imageapp.Sent})
	if err != nil || len(page.Messages) != 3 {
		t.Errorf("alice's sent box has %d messages (%v); want 3", len(page.Messages), err)
	}
	_, err = e.svc.List(e.ctx, bob, imageapp.MessageQuery{Box: imageapp.Inbox, Cursor: "bm90IGEgY3Vyc29y!"})
	wantCode(t, "a forged cursor", err, imageapp.EINVALID)
}

func testStatusAndMarkRead(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	m1 := e.send(t, alice, "bob", pngImage(t, 8, 8, 1), "one")
	m2 := e.send(t, alice, "bob", pngImage(t, 8, 8, 2), "two")
	m3 := e.send(t, alice, "bob", pngImage(t, 8, 8, 3), "three")
	if n, err := e.svc.UnreadCount(e.ctx, bob); err != nil || n != 3 {
		t.Fatalf("unread count = %d, %v; want 3", n, err)
	}
	if _, err := e.svc.Open(e.ctx, alice, m2.ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.svc.UnreadCount(e.ctx, bob); n != 3 {
		t.Errorf("the sender opening a message marked it read: unread count %d, want 3", n)
	}
	if _, err := e.svc.Open(e.ctx, bob, m2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Open(e.ctx, bob, m2.ID); err != nil {
		t.Fatalf("opening a read message again: %v", err)
	}
	if n, _ := e.svc.UnreadCount(e.ctx, bob); n != 2 {
		t.Errorf("unread count after opening one = %d, want 2", n)
	}
	ids := func(box imageapp.Box, status imageapp.Status, viewer imageapp.User) string {
		page, err := e.svc.List(e.ctx, viewer, imageapp.MessageQuery{Box: box, Status: status})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range page.Messages {
			out = append(out, m.ID)
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct {
		box    imageapp.Box
		status imageapp.Status
		viewer imageapp.User
		want   []string
	}{
		{imageapp.Inbox, imageapp.UnreadMessages, bob, []string{m3.ID, m1.ID}},
		{imageapp.Inbox, imageapp.ReadMessages, bob, []string{m2.ID}},
		{imageapp.Inbox, imageapp.AllMessages, bob, []string{m3.ID, m2.ID, m1.ID}},
		{imageapp.Sent, imageapp.ReadMessages, alice, []string{m2.ID}},
		{imageapp.Sent, imageapp.UnreadMessages, alice, []string{m3.ID, m1.ID}},
	} {
		if got := ids(tc.box, tc.status, tc.viewer); got != strings.Join(tc.want, ",") {
			t.Errorf("%s %s/%s = %s; want %s", tc.viewer.Username, tc.box, tc.status, got, strings.Join(tc.want, ","))
		}
	}
	page, _ := e.svc.List(e.ctx, alice, imageapp.MessageQuery{Box: imageapp.Sent})
	for _, m := range page.Messages {
		if (m.ID == m2.ID) == m.Unread() {
			t.Errorf("in alice's sent box, message %s unread=%v", m.ID, m.Unread())
		}
	}
	_, err := e.svc.List(e.ctx, bob, imageapp.MessageQuery{Status: "sideways"})
	wantCode(t, "an unknown status", err, imageapp.EINVALID)
}

func testDelete(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	byRecipient := e.send(t, alice, "bob", pngImage(t, 8, 8, 1), "")
	bySender := e.send(t, alice, "bob", pngImage(t, 8, 8, 2), "")
	if err := e.svc.Delete(e.ctx, bob, byRecipient.ID); err != nil {
		t.Fatalf("recipient deletes: %v", err)
	}
	if err := e.svc.Delete(e.ctx, alice, bySender.ID); err != nil {
		t.Fatalf("sender deletes: %v", err)
	}
	for _, id := range []string{byRecipient.ID, bySender.ID} {
		for _, viewer := range []imageapp.User{alice, bob} {
			_, err := e.svc.Open(e.ctx, viewer, id)
			wantCode(t, viewer.Username+" opens a deleted message", err, imageapp.EDELETED)
		}
		_, err := e.Blobs.Blob(e.ctx, id)
		wantCode(t, "the blob of a deleted message", err, imageapp.ENOTFOUND)
		wantCode(t, "deleting twice", e.svc.Delete(e.ctx, bob, id), imageapp.EDELETED)
	}
	if n, _ := e.svc.UnreadCount(e.ctx, bob); n != 0 {
		t.Errorf("deleted messages still count as unread: %d", n)
	}
	page, _ := e.svc.List(e.ctx, bob, imageapp.MessageQuery{Box: imageapp.Inbox})
	if len(page.Messages) != 0 {
		t.Errorf("the inbox still lists %d deleted messages", len(page.Messages))
	}
}

// testStorageQuota: a recipient's stored bytes count what they received
// and still keep (not what they sent); a send to a full inbox is refused
// with EQUOTA before anything is stored, and deleting frees the space.
func testStorageQuota(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	stored := func(u imageapp.User) int64 {
		t.Helper()
		n, err := e.Messages.StoredBytes(e.ctx, u.ID)
		if err != nil {
			t.Fatalf("stored bytes of %s: %v", u.Username, err)
		}
		return n
	}
	if n := stored(bob); n != 0 {
		t.Fatalf("a new user stores %d bytes, want 0", n)
	}
	first := e.send(t, alice, "bob", pngImage(t, 16, 16, 1), "")
	second := e.send(t, alice, "bob", pngImage(t, 16, 16, 2), "")
	if n, want := stored(bob), first.Size+second.Size; n != want {
		t.Fatalf("bob stores %d bytes after two messages, want %d", n, want)
	}
	if n := stored(alice); n != 0 {
		t.Fatalf("what alice sent counts against her own quota: %d bytes", n)
	}

	e.svc.QuotaBytes = first.Size + second.Size // full
	_, err := e.svc.Send(e.ctx, alice, messaging.SendInput{To: "bob", Filename: "x.png", Body: bytes.NewReader(pngImage(t, 16, 16, 3))})
	wantCode(t, "a send to a full inbox", err, imageapp.EQUOTA)
	if msg := imageapp.ErrorMessage(err); !strings.Contains(msg, "bob") || !strings.Contains(msg, "delete") {
		t.Errorf("the refusal %q does not say whose inbox is full and what to do", msg)
	}
	if n, want := stored(bob), first.Size+second.Size; n != want {
		t.Fatalf("a refused send changed bob's stored bytes to %d, want %d", n, want)
	}
	e.send(t, bob, "alice", pngImage(t, 16, 16, 4), "") // alice's inbox is not bob's

	if err := e.svc.Delete(e.ctx, alice, first.ID); err != nil { // the sender deletes: bob's space comes back
		t.Fatal(err)
	}
	if n := stored(bob); n != second.Size {
		t.Fatalf("after a delete bob stores %d bytes, want %d", n, second.Size)
	}
	e.send(t, alice, "bob", pngImage(t, 16, 16, 5), "")
}

func testAuthorization(t *testing.T, e *env) {
	alice, bob, carol := e.user(t, "alice"), e.user(t, "bob"), e.user(t, "carol")
	m := e.send(t, alice, "bob", pngImage(t, 8, 8, 1), "for bob only")
	_, err := e.svc.Open(e.ctx, carol, m.ID)
	wantCode(t, "a third user opens", err, imageapp.ENOTFOUND)
	_, err = e.svc.OpenImage(e.ctx, carol, m.ID)
	wantCode(t, "a third user opens the image", err, imageapp.ENOTFOUND)
	wantCode(t, "a third user deletes", e.svc.Delete(e.ctx, carol, m.ID), imageapp.ENOTFOUND)
	_, err = e.svc.Open(e.ctx, carol, "0123456789abcdef0123456789abcdef")
	wantCode(t, "opening a message that never existed", err, imageapp.ENOTFOUND)
	for _, box := range []imageapp.Box{imageapp.Inbox, imageapp.Sent} {
		page, err := e.svc.List(e.ctx, carol, imageapp.MessageQuery{Box: box})
		if err != nil || len(page.Messages) != 0 {
			t.Errorf("carol's %s lists %d messages (%v); want none", box, len(page.Messages), err)
		}
	}
	if opened, err := e.svc.Open(e.ctx, bob, m.ID); err != nil || opened.Caption != "for bob only" {
		t.Errorf("after the third user's attempts bob opens: %v", err)
	}
	if n, _ := e.svc.UnreadCount(e.ctx, carol); n != 0 {
		t.Errorf("carol's unread count = %d, want 0", n)
	}
}

// rewrite replaces a message's metadata, as an attacker with write access
// to the store would.
func rewrite(t *testing.T, e *env, m *imageapp.Message) {
	t.Helper()
	if err := e.Messages.DeleteMessage(e.ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.Messages.CreateMessage(e.ctx, m); err != nil {
		t.Fatal(err)
	}
}

func readBlob(t *testing.T, e *env, key string) []byte {
	t.Helper()
	rc, err := e.Blobs.Blob(e.ctx, key)
	if err != nil {
		t.Fatalf("read blob %s: %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read blob %s: %v", key, err)
	}
	return b
}

func putBlob(t *testing.T, e *env, key string, data []byte) {
	t.Helper()
	if err := e.Blobs.PutBlob(e.ctx, key, bytes.NewReader(data)); err != nil {
		t.Fatalf("overwrite blob %s: %v", key, err)
	}
}

func testSwappedKeys(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	m1 := e.send(t, alice, "bob", pngImage(t, 8, 8, 1), "one")
	m2 := e.send(t, alice, "bob", pngImage(t, 8, 8, 2), "two")
	stored1, _ := e.Messages.Message(e.ctx, m1.ID)
	stored2, _ := e.Messages.Message(e.ctx, m2.ID)
	stored1.WrappedKey, stored2.WrappedKey = stored2.WrappedKey, stored1.WrappedKey
	rewrite(t, e, stored1)
	rewrite(t, e, stored2)
	for _, m := range []*imageapp.Message{m1, m2} {
		_, err := e.svc.Open(e.ctx, bob, m.ID)
		wantCode(t, "open with another message's wrapped key", err, imageapp.EINTEGRITY)
		_, err = e.readImage(bob, m.ID)
		wantCode(t, "open the image with another message's wrapped key", err, imageapp.EINTEGRITY)
	}
}

func testSwappedBlobs(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	m1 := e.send(t, alice, "bob", pngImage(t, 8, 8, 1), "")
	m2 := e.send(t, alice, "bob", pngImage(t, 8, 8, 2), "")
	b1, b2 := readBlob(t, e, m1.ID), readBlob(t, e, m2.ID)
	putBlob(t, e, m1.ID, b2)
	putBlob(t, e, m2.ID, b1)
	for _, m := range []*imageapp.Message{m1, m2} {
		got, err := e.readImage(bob, m.ID)
		wantCode(t, "open an image whose blob belongs to another message", err, imageapp.EINTEGRITY)
		if len(got) != 0 {
			t.Errorf("%d bytes of a swapped blob were returned", len(got))
		}
	}
}

func testFlippedByte(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	img := pngImage(t, 256, 256, 7) // ~190 KB of noise: three segments or more
	if len(img) < 2*envelope.SegmentSize {
		t.Fatalf("test image is %d bytes; it must span several %d-byte segments", len(img), envelope.SegmentSize)
	}
	for _, where := range []struct {
		name string
		pos  func(n int) int
	}{
		{"in the first segment", func(n int) int { return 100 }},
		{"in the last segment", func(n int) int { return n - 20 }},
	} {
		t.Run(where.name, func(t *testing.T) {
			m := e.send(t, alice, "bob", img, "")
			blob := readBlob(t, e, m.ID)
			blob[where.pos(len(blob))] ^= 0x01
			putBlob(t, e, m.ID, blob)
			got, err := e.readImage(bob, m.ID)
			if err == nil {
				t.Fatalf("a blob with a flipped byte was read without error (%d bytes)", len(got))
			}
			if imageapp.ErrorCode(err) != imageapp.EINTEGRITY && !errors.Is(err, envelope.ErrAuthentication) {
				t.Errorf("error %v; want EINTEGRITY or envelope.ErrAuthentication", err)
			}
			if !bytes.HasPrefix(img, got) {
				t.Errorf("%d bytes returned before the error are not the image's: wrong bytes were served", len(got))
			}
		})
	}
}

func testDuplicateUsernames(t *testing.T, e *env) {
	if err := e.Identity.SignUp(e.ctx, asker, imageapp.SignUpInput{Username: "dana", Email: "dana@example.com", Password: password}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"dana", "DANA", "Dana"} {
		err := e.Identity.SignUp(e.ctx, asker, imageapp.SignUpInput{Username: name, Email: "other@example.com", Password: password})
		wantCode(t, "signing up "+name+" after dana", err, imageapp.ECONFLICT)
	}
	err := e.Identity.SignUp(e.ctx, asker, imageapp.SignUpInput{Username: "dana!", Email: "d@example.com", Password: password})
	wantCode(t, "a username with '!'", err, imageapp.EINVALID)
	err = e.Identity.SignUp(e.ctx, asker, imageapp.SignUpInput{Username: "dan", Email: "d@example.com", Password: "short"})
	wantCode(t, "a short password", err, imageapp.EINVALID)
}

func testWrongCode(t *testing.T, e *env) {
	if err := e.Identity.SignUp(e.ctx, asker, imageapp.SignUpInput{Username: "erin", Email: emailOf("erin"), Password: password}); err != nil {
		t.Fatal(err)
	}
	code := e.Code(t, emailOf("erin"))
	wrong := fmt.Sprintf("%06d", (atoi(code)+1)%1_000_000)
	wantCode(t, "confirming with a wrong code", e.Identity.Confirm(e.ctx, asker, "erin", wrong), imageapp.EINVALID)
	wantCode(t, "confirming with a code that is not 6 digits", e.Identity.Confirm(e.ctx, asker, "erin", "12ab"), imageapp.EINVALID)
	_, err := e.Identity.Login(e.ctx, asker, "erin", password)
	wantCode(t, "login after a wrong code", err, imageapp.EUNCONFIRMED)
	if err := e.Identity.Confirm(e.ctx, asker, "erin", code); err != nil {
		t.Errorf("the right code after a wrong one: %v", err)
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func testUnconfirmedLogin(t *testing.T, e *env) {
	if err := e.Identity.SignUp(e.ctx, asker, imageapp.SignUpInput{Username: "frank", Email: emailOf("frank"), Password: password}); err != nil {
		t.Fatal(err)
	}
	_, err := e.Identity.Login(e.ctx, asker, "frank", password)
	wantCode(t, "login before confirming", err, imageapp.EUNCONFIRMED)
}

func testWrongLogin(t *testing.T, e *env) {
	e.user(t, "grace")
	_, unknown := e.Identity.Login(e.ctx, asker, "nobody", password)
	_, wrong := e.Identity.Login(e.ctx, asker, "grace", "not the password")
	wantCode(t, "unknown user", unknown, imageapp.EUNAUTHORIZED)
	wantCode(t, "wrong password", wrong, imageapp.EUNAUTHORIZED)
	if imageapp.ErrorMessage(unknown) != imageapp.ErrorMessage(wrong) {
		t.Errorf("unknown user says %q, wrong password says %q; they must not differ",
			imageapp.ErrorMessage(unknown), imageapp.ErrorMessage(wrong))
	}
	if _, err := e.Identity.Login(e.ctx, asker, "GRACE", password); err != nil {
		t.Errorf("login with another case of the username: %v", err)
	}
}

func testProvisioningIdempotent(t *testing.T, e *env) {
	heidi := e.user(t, "heidi")
	if !heidi.Provisioned() {
		t.Fatalf("heidi is not provisioned: %+v", heidi)
	}
	for range 2 {
		again, err := provision.User(e.ctx, e.deps, imageapp.User{ID: heidi.ID, Username: heidi.Username, Email: heidi.Email})
		if err != nil || again.KeyID != heidi.KeyID || again.Topic != heidi.Topic {
			t.Errorf("provisioning again = %+v, %v; want key %s and topic %s", again, err, heidi.KeyID, heidi.Topic)
		}
	}
	// The adapters are idempotent themselves, for a retried trigger that
	// ran before the directory row was written.
	if key, err := e.Keys.CreateUserKey(e.ctx, heidi.ID); err != nil || key != heidi.KeyID {
		t.Errorf("CreateUserKey again = %q, %v; want %q", key, err, heidi.KeyID)
	}
	if topic, err := e.Notifier.CreateUserTopic(e.ctx, heidi); err != nil || topic != heidi.Topic {
		t.Errorf("CreateUserTopic again = %q, %v; want %q", topic, err, heidi.Topic)
	}
	stored, err := e.Users.UserByID(e.ctx, heidi.ID)
	if err != nil || stored.KeyID != heidi.KeyID || stored.Topic != heidi.Topic {
		t.Errorf("directory entry = %+v, %v", stored, err)
	}
}

// testSendFaults fails each step of a send in turn. A failed step fails the
// send with an error that blames the server, and leaves nothing behind; a
// failed notification alone does not fail the send.
func testSendFaults(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	f := e.injectFaults()
	img := pngImage(t, 256, 256, 1) // ~190 KB: a stream that breaks at 100 KiB breaks mid-image
	for _, step := range []fault{failGenerateKey, failPutPending, failPutUnread, failPutMidStream, failCreateMessage} {
		f.set(step)
		_, err := e.svc.Send(e.ctx, alice, messaging.SendInput{To: "bob", Filename: "a.png", Body: bytes.NewReader(img)})
		f.wantFired(t)
		f.set(noFault)
		wantServerError(t, "send when "+string(step), err)
		wantStored(t, e, "after a send when "+string(step), bob)
	}

	// A message that is stored is sent, whatever the answers on the way said.
	var sent []string
	for _, step := range []fault{failNotify, failCreateAnswer} {
		f.set(step)
		m := e.send(t, alice, "bob", img, "")
		f.wantFired(t)
		f.set(noFault)
		sent = append(sent, m.ID)
		wantStored(t, e, "after a send when "+string(step), bob, sent...)
		if got, err := e.readImage(bob, m.ID); err != nil || !bytes.Equal(got, img) {
			t.Errorf("%s: the message reads %d bytes, %v; want the %d bytes sent", step, len(got), err, len(img))
		}
	}
}

// testOpenFaults: a key service or blob store failing while a message
// opens gives an error, never a panic or wrong bytes, and loses nothing.
func testOpenFaults(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	img := pngImage(t, 256, 256, 2) // several segments, so a stream can break after the first
	m := e.send(t, alice, "bob", img, "still here")
	f := e.injectFaults()
	for _, step := range []fault{failDecrypt, failGetBlob, failBlobMidStream} {
		f.set(step)
		if step == failDecrypt {
			_, err := e.svc.Open(e.ctx, bob, m.ID)
			wantServerError(t, "Open when "+string(step), err)
		}
		got, err := e.readImage(bob, m.ID)
		f.wantFired(t)
		f.set(noFault)
		switch {
		case err == nil:
			t.Errorf("%s: the image read without error (%d bytes)", step, len(got))
		case step != failBlobMidStream: // mid-stream, the image has started: only the error matters
			wantServerError(t, "OpenImage when "+string(step), err)
		case messaging.IsAuthError(err):
			t.Errorf("%s: a broken blob stream reads as tampering: %v", step, err)
		}
		if !bytes.HasPrefix(img, got) {
			t.Errorf("%s: %d bytes returned are not the image's", step, len(got))
		}
	}

	if n, err := e.svc.UnreadCount(e.ctx, bob); err != nil || n != 1 {
		t.Errorf("after the failed opens the unread count is %d, %v; want 1", n, err)
	}
	if opened, err := e.svc.Open(e.ctx, bob, m.ID); err != nil || opened.Caption != "still here" {
		t.Errorf("once the faults clear, Open = %v; want the caption", err)
	}
	if got, err := e.readImage(bob, m.ID); err != nil || !bytes.Equal(got, img) {
		t.Errorf("once the faults clear the image reads %d bytes, %v; want the %d bytes sent", len(got), err, len(img))
	}
}

// testConcurrentSends: senders sending at once to overlapping recipients
// give exactly the messages sent, each listed once and opening to its bytes.
func testConcurrentSends(t *testing.T, e *env) {
	const senders, perSender = 8, 5
	from := make([]imageapp.User, senders)
	for s := range from {
		from[s] = e.user(t, fmt.Sprintf("sender%d", s))
	}
	to := []imageapp.User{e.user(t, "ann"), e.user(t, "ben"), e.user(t, "cat")}
	imgs := make([][]byte, senders*perSender) // message i goes from sender i/perSender to to[i%3]
	for i := range imgs {
		imgs[i] = pngImage(t, 8, 8, uint64(i+1))
	}

	ids, errs := make([]string, len(imgs)), make([]error, len(imgs))
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for i := s * perSender; i < (s+1)*perSender; i++ {
				m, err := e.svc.Send(e.ctx, from[s], messaging.SendInput{To: to[i%len(to)].Username, Filename: "x.png", Body: bytes.NewReader(imgs[i])})
				if errs[i] = err; err == nil {
					ids[i] = m.ID
				}
			}
		})
	}
	wg.Wait()
	sent := map[string]int{} // message ID → index of its image
	for i, err := range errs {
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		sent[ids[i]] = i
	}

	listed := 0
	for r, recipient := range to {
		for _, m := range listAll(t, e, recipient, imageapp.Inbox, 4) {
			i, ok := sent[m.ID]
			if !ok || i%len(to) != r {
				t.Errorf("%s's inbox lists %s: not sent to them, or listed twice", recipient.Username, m.ID)
				continue
			}
			delete(sent, m.ID)
			listed++
			if got, err := e.readImage(recipient, m.ID); err != nil || !bytes.Equal(got, imgs[i]) {
				t.Errorf("message %d opens to %d bytes, %v; want its %d bytes", i, len(got), err, len(imgs[i]))
			}
		}
	}
	if listed != len(imgs) || len(sent) != 0 {
		t.Errorf("the inboxes list %d messages (%d sent never listed); want exactly %d", listed, len(sent), len(imgs))
	}
}

// wantServerError checks err is one a person sees as the server's fault
// ("try again"), not as a bad image, an unknown user or a tampered message.
func wantServerError(t *testing.T, what string, err error) {
	t.Helper()
	if code := imageapp.ErrorCode(err); code != imageapp.EINTERNAL && code != imageapp.EUNAVAILABLE {
		t.Errorf("%s: error %v (code %q); want an internal or unavailable error", what, err, code)
	}
}

// wantStored checks the viewer's inbox and the whole blob store hold exactly
// the messages ids: no blob without its message, no message without its blob.
func wantStored(t *testing.T, e *env, what string, viewer imageapp.User, ids ...string) {
	t.Helper()
	var inbox []string
	for _, m := range listAll(t, e, viewer, imageapp.Inbox, 0) {
		inbox = append(inbox, m.ID)
	}
	slices.Sort(inbox)
	if blobs, want := blobKeys(t, e), sorted(ids...); !slices.Equal(inbox, want) || !slices.Equal(blobs, want) {
		t.Errorf("%s: the inbox lists %v and the blob store holds %v; want both to be %v", what, inbox, blobs, want)
	}
	if pending := pendingIDs(t, e); len(pending) != 0 {
		t.Errorf("%s: pending markers %v are left; a send that ended, well or cleanly failed, leaves none", what, pending)
	}
}

// listAll pages through the viewer's box, limit messages a page.
func listAll(t *testing.T, e *env, viewer imageapp.User, box imageapp.Box, limit int) []*imageapp.Message {
	t.Helper()
	var all []*imageapp.Message
	q := imageapp.MessageQuery{Box: box, Limit: limit}
	for pages := 1; ; pages++ {
		page, err := e.svc.List(e.ctx, viewer, q)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Messages...)
		if page.Next == "" {
			return all
		}
		if pages > 100 {
			t.Fatal("the cursor does not advance")
		}
		q.Cursor = page.Next
	}
}

// blobKeys lists every blob stored, sorted.
func blobKeys(t *testing.T, e *env) []string {
	t.Helper()
	var keys []string
	if err := e.Blobs.ListBlobs(e.ctx, func(b imageapp.BlobInfo) error {
		keys = append(keys, b.Key)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return sorted(keys...)
}

func sorted(s ...string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
