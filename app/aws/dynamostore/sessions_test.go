package dynamostore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"imageapp/app/aws/dynamostore"
	"imageapp/app/imageapp"
)

// racingAPI runs between once, before the first UpdateItem it passes on:
// another instance's write landing between a read and the write built on it.
type racingAPI struct {
	dynamostore.API
	once    sync.Once
	between func()
}

func (r *racingAPI) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	r.once.Do(r.between)
	return r.API.UpdateItem(ctx, in, opts...)
}

func session(id string, at time.Time) imageapp.Session {
	return imageapp.Session{ID: id, Device: "curl", Created: at, LastSeen: at}
}

func sessionIDs(t *testing.T, d *dynamostore.Directory, userID string) map[string]bool {
	t.Helper()
	list, err := d.Sessions(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, s := range list {
		ids[s.ID] = true
	}
	return ids
}

// TestEndOtherSessionsEndsOneThatLandsMeanwhile: "log out all other
// devices" must not spare a login that lands between its read of the
// sessions and its write.
func TestEndOtherSessionsEndsOneThatLandsMeanwhile(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	at := time.Unix(1700000000, 0).UTC()
	for _, id := range []string{"mine", "old"} {
		if err := f.users.AddSession(ctx, "u1", session(id, at)); err != nil {
			t.Fatal(err)
		}
	}
	racing := &racingAPI{API: f.client, between: func() {
		if err := f.users.AddSession(ctx, "u1", session("intruder", at.Add(time.Second))); err != nil {
			t.Errorf("the racing login: %v", err)
		}
	}}
	d := &dynamostore.Directory{DB: racing, Table: f.users.Table}
	if err := d.KeepOnlySession(ctx, "u1", "mine"); err != nil {
		t.Fatal(err)
	}
	if got := sessionIDs(t, f.users, "u1"); len(got) != 1 || !got["mine"] {
		t.Errorf("after ending the others: %v; want only mine", got)
	}
}

// TestSessionCapHoldsUnderRacingLogins: a login that lands between
// another's read and write cannot take the list past MaxSessions.
func TestSessionCapHoldsUnderRacingLogins(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	at := time.Unix(1700000000, 0).UTC()
	for i := range imageapp.MaxSessions {
		if err := f.users.AddSession(ctx, "u1", session(fmt.Sprint("s", i), at.Add(time.Duration(i)*time.Second))); err != nil {
			t.Fatal(err)
		}
	}
	racing := &racingAPI{API: f.client, between: func() {
		if err := f.users.AddSession(ctx, "u1", session("racer", at.Add(time.Hour))); err != nil {
			t.Errorf("the racing login: %v", err)
		}
	}}
	d := &dynamostore.Directory{DB: racing, Table: f.users.Table}
	if err := d.AddSession(ctx, "u1", session("late", at.Add(2*time.Hour))); err != nil {
		t.Fatal(err)
	}
	got := sessionIDs(t, f.users, "u1")
	if len(got) != imageapp.MaxSessions || !got["late"] || !got["racer"] {
		t.Errorf("%d sessions after two racing logins (late %v, racer %v); want %d with both", len(got), got["late"], got["racer"], imageapp.MaxSessions)
	}
}
