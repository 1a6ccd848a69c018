package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"imageapp/app/cookiekeys"
	"imageapp/app/imageapp"
)

// CookieKeysKey is the users-table key of the cookie key ring. Usernames
// match ^[A-Za-z0-9_.-]{3,32}$, so no user can ever hold a key that starts
// with '#'; the directory treats such keys as no user (reservedKey).
const CookieKeysKey = "#cookie-keys"

// Attributes of the cookie key ring's item.
const (
	attrRingVersion = "ring_version"
	attrPairs       = "pairs"
	attrWrapped     = "wrapped"
)

// reservedKey tells the app's own items of the users table from users'.
func reservedKey(key string) bool { return strings.HasPrefix(key, "#") }

// CookieKeys keeps the cluster's cookie key ring (cookiekeys.Store) in one
// item of the users table, credstash-style:
//
//	username S = "#cookie-keys" | ring_version N | pairs L of M{wrapped B, created_at N}
//
// pairs is newest first; each pair (hash key and block key) is wrapped by
// Wrap (the app's KMS key, encryption context {app, purpose: cookie-keys}),
// so the item, its backups and the table's stream hold no usable key. Every
// change is a PutItem conditional on the version read, so two writers never
// both win.
type CookieKeys struct {
	DB    API
	Table string
	Wrap  cookiekeys.Wrapper
	Now   func() time.Time

	mu sync.Mutex
	// opened are unwrapped pairs by their ciphertext, so re-reading an
	// unchanged ring (every instance, every minute) costs no KMS call.
	opened map[string]cookiekeys.Keys
}

var _ cookiekeys.Store = (*CookieKeys)(nil)

// errLostRace: another writer changed the item between our read and write.
var errLostRace = errors.New("dynamo: the cookie keys changed meanwhile")

// storedRing is the ring with each pair's ciphertext beside it.
type storedRing struct {
	ring    cookiekeys.Ring
	wrapped [][]byte
}

// Load reads the ring, creating it with one fresh pair on first use. When
// several instances start at once, each tries a PutItem that only succeeds
// if the item does not exist: one wins, the others read the winner's ring.
func (c *CookieKeys) Load(ctx context.Context) (cookiekeys.Ring, error) {
	s, err := c.load(ctx)
	return s.ring, err
}

func (c *CookieKeys) load(ctx context.Context) (storedRing, error) {
	for range 3 {
		s, found, err := c.read(ctx)
		if err != nil || found {
			return s, err
		}
		s, err = c.write(ctx, cookiekeys.Ring{Version: 1, Pairs: []cookiekeys.Pair{cookiekeys.NewPair(c.now())}}, storedRing{})
		if !errors.Is(err, errLostRace) {
			return s, err
		}
	}
	return storedRing{}, fmt.Errorf("dynamo: the cookie keys item %s keeps changing", CookieKeysKey)
}

// Rotate puts a fresh pair in front of the ring, if the ring is still the
// one it read; it signs once cookiekeys.ActivateAfter has passed.
func (c *CookieKeys) Rotate(ctx context.Context) (cookiekeys.Ring, error) {
	s, err := c.load(ctx)
	if err != nil {
		return cookiekeys.Ring{}, err
	}
	next, err := c.write(ctx, s.ring.Rotated(cookiekeys.NewPair(c.now())), s)
	return next.ring, conflict(err)
}

// Retire drops all but the newest keep pairs (never the one that signs), if
// the ring is still the one it read.
func (c *CookieKeys) Retire(ctx context.Context, keep int) (cookiekeys.Ring, error) {
	s, err := c.load(ctx)
	if err != nil {
		return cookiekeys.Ring{}, err
	}
	next, err := s.ring.Retired(keep, c.now())
	if err != nil || next.Version == s.ring.Version {
		return next, err
	}
	stored, err := c.write(ctx, next, s)
	return stored.ring, conflict(err)
}

func conflict(err error) error {
	if errors.Is(err, errLostRace) {
		return imageapp.Errorf(imageapp.ECONFLICT, "The cookie keys changed while this ran (another rotate or retire); run it again.")
	}
	return err
}

// read is a strongly consistent GetItem of the ring; found is false when
// there is none yet.
func (c *CookieKeys) read(ctx context.Context) (s storedRing, found bool, err error) {
	out, err := c.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(c.Table),
		Key:            item{attrUsername: str(CookieKeysKey)},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return s, false, storeError("read cookie keys", err)
	}
	if out.Item == nil {
		return s, false, nil
	}
	d := decoder{it: out.Item}
	s.ring.Version = d.num(attrRingVersion)
	list, _ := out.Item[attrPairs].(*types.AttributeValueMemberL)
	if d.err != nil || list == nil || len(list.Value) == 0 {
		return s, false, fmt.Errorf("dynamo: the cookie keys item %s is damaged (no version or no pairs)", CookieKeysKey)
	}
	for i, v := range list.Value {
		m, ok := v.(*types.AttributeValueMemberM)
		if !ok {
			return s, false, fmt.Errorf("dynamo: cookie key pair %d is not a map", i)
		}
		pd := decoder{it: m.Value}
		wrapped, created := pd.bin(attrWrapped), pd.time(attrCreatedAt)
		if pd.err != nil || len(wrapped) == 0 {
			return s, false, fmt.Errorf("dynamo: cookie key pair %d is damaged", i)
		}
		keys, err := c.unwrap(ctx, wrapped)
		if err != nil {
			return s, false, fmt.Errorf("dynamo: cookie key pair %d: %w", i, err)
		}
		s.ring.Pairs = append(s.ring.Pairs, cookiekeys.Pair{Keys: keys, Created: created})
		s.wrapped = append(s.wrapped, wrapped)
	}
	c.forgetOthers(s.wrapped)
	return s, true, s.ring.Validate()
}

// write stores next, whose pairs are prev's with new ones in front or old
// ones dropped at the end, on condition that the item is still at prev's
// version (or absent, when prev is empty). Pairs already wrapped keep their
// ciphertext; only new ones are wrapped.
func (c *CookieKeys) write(ctx context.Context, next cookiekeys.Ring, prev storedRing) (storedRing, error) {
	if err := next.Validate(); err != nil {
		return storedRing{}, err
	}
	fresh := max(0, len(next.Pairs)-len(prev.wrapped))
	out := storedRing{ring: next}
	list := make([]types.AttributeValue, 0, len(next.Pairs))
	for i, p := range next.Pairs {
		var wrapped []byte
		if i < fresh {
			w, err := c.Wrap.Wrap(ctx, cookiekeys.PairBytes(p.Keys))
			if err != nil {
				return storedRing{}, err
			}
			wrapped = w
		} else {
			wrapped = prev.wrapped[i-fresh]
		}
		out.wrapped = append(out.wrapped, wrapped)
		list = append(list, &types.AttributeValueMemberM{Value: item{
			attrWrapped: bin(wrapped), attrCreatedAt: num(p.Created.UnixNano()),
		}})
	}
	in := &dynamodb.PutItemInput{
		TableName: aws.String(c.Table),
		Item: item{
			attrUsername: str(CookieKeysKey), attrRingVersion: num(next.Version), attrPairs: &types.AttributeValueMemberL{Value: list},
		},
		ExpressionAttributeNames: map[string]string{"#username": attrUsername},
	}
	if len(prev.wrapped) == 0 {
		in.ConditionExpression = aws.String("attribute_not_exists(#username)")
	} else {
		in.ConditionExpression = aws.String("#version = :version")
		in.ExpressionAttributeNames = map[string]string{"#version": attrRingVersion}
		in.ExpressionAttributeValues = item{":version": num(prev.ring.Version)}
	}
	_, err := c.DB.PutItem(ctx, in)
	if isConditionFailed(err) {
		return storedRing{}, errLostRace
	}
	if err != nil {
		return storedRing{}, storeError("write cookie keys", err)
	}
	for i, w := range out.wrapped[:fresh] {
		c.remember(w, next.Pairs[i].Keys)
	}
	return out, nil
}

func (c *CookieKeys) unwrap(ctx context.Context, wrapped []byte) (cookiekeys.Keys, error) {
	c.mu.Lock()
	k, ok := c.opened[string(wrapped)]
	c.mu.Unlock()
	if ok {
		return k, nil
	}
	plain, err := c.Wrap.Unwrap(ctx, wrapped)
	if err != nil {
		return k, err
	}
	k, err = cookiekeys.PairFromBytes(plain)
	clear(plain)
	if err != nil {
		return k, err
	}
	c.remember(wrapped, k)
	return k, nil
}

func (c *CookieKeys) remember(wrapped []byte, k cookiekeys.Keys) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.opened == nil {
		c.opened = map[string]cookiekeys.Keys{}
	}
	c.opened[string(wrapped)] = k
}

// forgetOthers drops unwrapped pairs that are no longer in the ring.
func (c *CookieKeys) forgetOthers(current [][]byte) {
	keep := map[string]bool{}
	for _, w := range current {
		keep[string(w)] = true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for w := range c.opened {
		if !keep[w] {
			delete(c.opened, w)
		}
	}
}

func (c *CookieKeys) now() time.Time {
	if c.Now != nil {
		return c.Now().UTC()
	}
	return time.Now().UTC()
}
