package awsbackend_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/gorilla/securecookie"

	"imageapp/app/aws/awsbackend"
	"imageapp/app/aws/dynamostore"
	"imageapp/app/awstest"
	"imageapp/app/cookiekeys"
	"imageapp/app/imageapp"
)

var stack *awstest.Stack

func TestMain(m *testing.M) {
	os.Exit(awstest.RunMain(m, awstest.Options{Services: []awstest.Service{awstest.DynamoDB, awstest.KMS}}, &stack))
}

var prefixes atomic.Int32

// ringFixture is a users table and an app key on the emulators; each
// instance() is what one app process holds: its own store, own cache.
type ringFixture struct {
	clients awsbackend.Clients
	res     awstest.Resources
}

func newRingFixture(t *testing.T) ringFixture {
	t.Helper()
	ctx := context.Background()
	cfg, err := awsbackend.LoadConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := awsbackend.NewClients(cfg)
	res, err := awstest.CreateResources(ctx, c, stack, fmt.Sprintf("ring%d", prefixes.Add(1)))
	if err != nil {
		t.Fatal(err)
	}
	if res.AppKeyID == "" {
		t.Fatal("CreateResources made no app key")
	}
	return ringFixture{clients: c, res: res}
}

func (f ringFixture) instance(t *testing.T, now *time.Time) *dynamostore.CookieKeys {
	t.Helper()
	s, err := awsbackend.CookieKeys(f.clients, "imageapp", f.res.UsersTable, f.res.AppKeyID)
	if err != nil {
		t.Fatal(err)
	}
	if now != nil {
		s.Now = func() time.Time { return *now }
	}
	return s
}

func mustLoad(t *testing.T, s cookiekeys.Store) cookiekeys.Ring {
	t.Helper()
	r, err := s.Load(context.Background())
	if err != nil {
		t.Fatalf("load the ring: %v", err)
	}
	return r
}

func encode(t *testing.T, r cookiekeys.Ring, now time.Time) string {
	t.Helper()
	v, err := securecookie.EncodeMulti("imageapp_session", "alice", securecookie.CodecsFromPairs(r.KeyPairs(now)...)...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func decodes(r cookiekeys.Ring, now time.Time, v string) bool {
	var got string
	err := securecookie.DecodeMulti("imageapp_session", v, &got, securecookie.CodecsFromPairs(r.KeyPairs(now)...)...)
	return err == nil && got == "alice"
}

func pairOnly(r cookiekeys.Ring, i int) cookiekeys.Ring {
	return cookiekeys.Ring{Version: -1, Pairs: []cookiekeys.Pair{r.Pairs[i]}}
}

// TestTheRingIsCreatedOnceWhenInstancesRace: eight instances start at once
// on an empty table; one conditional PutItem wins and all of them end up
// with the winner's keys.
func TestTheRingIsCreatedOnceWhenInstancesRace(t *testing.T) {
	f := newRingFixture(t)
	const n = 8
	rings := make([]cookiekeys.Ring, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		s := f.instance(t, nil)
		wg.Go(func() {
			<-start
			rings[i], errs[i] = s.Load(context.Background())
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("instance %d: %v", i, errs[i])
		}
		if rings[i].Version != 1 || len(rings[i].Pairs) != 1 || !bytes.Equal(rings[i].Pairs[0].Hash, rings[0].Pairs[0].Hash) ||
			!bytes.Equal(rings[i].Pairs[0].Block, rings[0].Pairs[0].Block) {
			t.Fatalf("instance %d has version %d with other keys than instance 0: the ring was created twice", i, rings[i].Version)
		}
	}
	again := mustLoad(t, f.instance(t, nil))
	if !bytes.Equal(again.Pairs[0].Hash, rings[0].Pairs[0].Hash) {
		t.Error("a later instance (a replacement) got other keys")
	}
}

// TestRotateThenRetire: after a rotation, cookies signed before still
// decode everywhere; the new pair verifies at once on every instance that
// re-read the ring and signs once ActivateAfter has passed; retiring then
// drops the old pair, so its cookies stop working.
func TestRotateThenRetire(t *testing.T) {
	ctx := context.Background()
	f := newRingFixture(t)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	a, b := f.instance(t, &now), f.instance(t, &now)
	first := mustLoad(t, a)
	onB := mustLoad(t, b)
	old := encode(t, first, now)

	now = now.Add(time.Hour)
	rotated, err := a.Rotate(ctx)
	if err != nil || rotated.Version != 2 || len(rotated.Pairs) != 2 || !bytes.Equal(rotated.Pairs[1].Hash, first.Pairs[0].Hash) {
		t.Fatalf("rotate: version %d, %d pairs, %v; want version 2 with the new pair in front", rotated.Version, len(rotated.Pairs), err)
	}
	now = now.Add(time.Second)
	refreshed := mustLoad(t, b)
	if refreshed.Version != 2 || !bytes.Equal(refreshed.Pairs[0].Hash, rotated.Pairs[0].Hash) {
		t.Fatalf("instance B re-read version %d; want the rotated ring", refreshed.Version)
	}
	if !decodes(refreshed, now, old) {
		t.Error("a cookie signed before the rotation is refused after it")
	}
	if early := encode(t, refreshed, now); !decodes(onB, now, early) {
		t.Error("the new pair signs before ActivateAfter: an instance that has not re-read the ring refuses its cookie")
	}
	if !decodes(refreshed, now, encode(t, pairOnly(rotated, 0), now)) {
		t.Error("the new pair does not verify right after the rotation")
	}

	now = now.Add(cookiekeys.ActivateAfter)
	fresh := encode(t, refreshed, now)
	if !decodes(pairOnly(rotated, 0), now, fresh) || decodes(pairOnly(rotated, 1), now, fresh) {
		t.Error("once ActivateAfter has passed, new cookies are not signed with the new pair")
	}
	if !decodes(refreshed, now, old) {
		t.Error("the old pair stopped verifying before it was retired")
	}

	retired, err := b.Retire(ctx, 1)
	if err != nil || retired.Version != 3 || len(retired.Pairs) != 1 || !bytes.Equal(retired.Pairs[0].Hash, rotated.Pairs[0].Hash) {
		t.Fatalf("retire -keep 1: version %d, %d pairs, %v; want version 3 with the new pair alone", retired.Version, len(retired.Pairs), err)
	}
	onA := mustLoad(t, a)
	if onA.Version != 3 || decodes(onA, now, old) {
		t.Error("after retiring, a cookie of the old pair still decodes on another instance")
	}
	if !decodes(onA, now, fresh) {
		t.Error("retiring the old pair broke cookies of the new one")
	}
}

// interloper rotates the ring through another instance between our read
// and our write, once.
type interloper struct {
	dynamostore.API
	other *dynamostore.CookieKeys
	done  bool
}

func (i *interloper) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if !i.done {
		i.done = true
		if _, err := i.other.Rotate(ctx); err != nil {
			return nil, err
		}
	}
	return i.API.PutItem(ctx, in, o...)
}

// TestAConcurrentChangeWins: a rotation conditional on the version it read
// fails, rather than overwriting one that happened meanwhile.
func TestAConcurrentChangeWins(t *testing.T) {
	ctx := context.Background()
	f := newRingFixture(t)
	mustLoad(t, f.instance(t, nil))
	ours := f.instance(t, nil)
	ours.DB = &interloper{API: f.clients.DynamoDB, other: f.instance(t, nil)}
	if _, err := ours.Rotate(ctx); imageapp.ErrorCode(err) != imageapp.ECONFLICT {
		t.Fatalf("a rotation that lost the race: %v; want ECONFLICT", err)
	}
	if r := mustLoad(t, f.instance(t, nil)); r.Version != 2 || len(r.Pairs) != 2 {
		t.Errorf("after the race: version %d, %d pairs; want the other rotation alone", r.Version, len(r.Pairs))
	}
}

// TestTheItemHoldsOnlyCiphertextBoundToItsContext: the stored pairs are KMS
// ciphertext that opens under {app, purpose: cookie-keys} only: another
// app's context (or another key) fails to decrypt, and such an instance
// refuses to start rather than make a ring of its own.
func TestTheItemHoldsOnlyCiphertextBoundToItsContext(t *testing.T) {
	ctx := context.Background()
	f := newRingFixture(t)
	r := mustLoad(t, f.instance(t, nil))
	out, err := f.clients.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(f.res.UsersTable),
		Key: map[string]types.AttributeValue{"username": &types.AttributeValueMemberS{Value: dynamostore.CookieKeysKey}}})
	if err != nil || out.Item == nil {
		t.Fatalf("no ring item under %s: %v", dynamostore.CookieKeysKey, err)
	}
	pairs := out.Item["pairs"].(*types.AttributeValueMemberL).Value
	wrapped := pairs[0].(*types.AttributeValueMemberM).Value["wrapped"].(*types.AttributeValueMemberB).Value
	if bytes.Contains(wrapped, r.Pairs[0].Hash[:16]) || bytes.Contains(wrapped, r.Pairs[0].Block[:16]) {
		t.Fatal("the stored pair contains key material in the clear")
	}

	otherApp, err := awsbackend.CookieKeys(f.clients, "otherapp", f.res.UsersTable, f.res.AppKeyID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := otherApp.Load(ctx); err == nil {
		t.Error("the ring decrypted under another app's encryption context")
	}
	otherKey, err := f.clients.KMS.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	wrongKey, err := awsbackend.CookieKeys(f.clients, "imageapp", f.res.UsersTable, aws.ToString(otherKey.KeyMetadata.KeyId))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wrongKey.Load(ctx); err == nil {
		t.Error("the ring decrypted with another KMS key")
	}
	if again := mustLoad(t, f.instance(t, nil)); again.Version != 1 || !bytes.Equal(again.Pairs[0].Hash, r.Pairs[0].Hash) {
		t.Error("a failed load replaced the ring")
	}
}
