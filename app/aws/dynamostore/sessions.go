package dynamostore

import (
	"context"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"imageapp/app/imageapp"
)

// A user's active sessions are one item of the users table (a reserved
// key, like their blocks), a map from session ID to the session:
//
//	username S = "#sessions#<user_id>" | sessions M {sid: M{device S, created N, seen N, keep BOOL}}
//
// Not an attribute of the user's own item: both of the table's indexes
// project ALL, so every last-seen update would be written to them too, and
// every directory page would carry everyone's sessions. A request reads it
// with one small GetItem; a touch is one UpdateItem of one map entry.

const (
	attrSessions = "sessions"
	attrDevice   = "device"
	attrSeen     = "seen"
	attrKeep     = "keep" // BOOL: kept signed in; absent on older entries (false)
)

func sessionsKey(userID string) item { return item{attrUsername: str("#sessions#" + userID)} }

func sessionValue(s imageapp.Session) types.AttributeValue {
	return &types.AttributeValueMemberM{Value: item{
		attrDevice: str(s.Device), attrCreatedAt: num(s.Created.UnixNano()), attrSeen: num(s.LastSeen.UnixNano()),
		attrKeep: &types.AttributeValueMemberBOOL{Value: s.KeepSignedIn},
	}}
}

// sessionTries bounds the read-and-write rounds of a change that depends on
// the whole map; each round loses only to another change of the same map.
const sessionTries = 5

// AddSession sets the session's map entry and, in the same UpdateItem,
// removes the entries seen longest ago past MaxSessions. The write holds
// only if the map is still the one read (sameSessions), so racing logins
// never leave more than MaxSessions; the first session creates the map.
func (d *Directory) AddSession(ctx context.Context, userID string, s imageapp.Session) error {
	return d.retrySessions(ctx, userID, "add session", func(list []imageapp.Session) *dynamodb.UpdateItemInput {
		return d.addSessionInput(userID, s, list)
	})
}

// retrySessions reads the user's sessions and makes the write change
// returns for them (nil: nothing to write), again when the map changed in
// between.
func (d *Directory) retrySessions(ctx context.Context, userID, what string, change func([]imageapp.Session) *dynamodb.UpdateItemInput) error {
	for try := 1; ; try++ {
		list, err := d.Sessions(ctx, userID)
		if err != nil {
			return err
		}
		in := change(list)
		if in == nil {
			return nil
		}
		_, err = d.DB.UpdateItem(ctx, in)
		if isConditionFailed(err) && try < sessionTries {
			continue // the map changed meanwhile: read it again
		}
		if err != nil {
			return storeError(what, err)
		}
		return nil
	}
}

// sameSessions is the condition that the map still holds exactly list's
// sessions: as many, and each of them. It adds its names and values to in.
func sameSessions(in *dynamodb.UpdateItemInput, list []imageapp.Session) string {
	cond := "size(#s) = :count"
	in.ExpressionAttributeValues[":count"] = num(int64(len(list)))
	for i, s := range list {
		name := "#has" + strconv.Itoa(i)
		in.ExpressionAttributeNames[name] = s.ID
		cond += " AND attribute_exists(#s." + name + ")"
	}
	return cond
}

func (d *Directory) addSessionInput(userID string, s imageapp.Session, list []imageapp.Session) *dynamodb.UpdateItemInput {
	in := &dynamodb.UpdateItemInput{
		TableName:                aws.String(d.Table),
		Key:                      sessionsKey(userID),
		ExpressionAttributeNames: map[string]string{"#s": attrSessions},
	}
	if list == nil {
		in.UpdateExpression = aws.String("SET #s = :m")
		in.ConditionExpression = aws.String("attribute_not_exists(#s)")
		in.ExpressionAttributeValues = item{":m": &types.AttributeValueMemberM{Value: item{s.ID: sessionValue(s)}}}
		return in
	}
	in.ExpressionAttributeNames["#sid"] = s.ID
	in.ExpressionAttributeValues = item{":v": sessionValue(s)}
	expr := "SET #s.#sid = :v"
	removes := ""
	for i := imageapp.MaxSessions - 1; i < len(list); i++ { // list is last seen first
		if list[i].ID == s.ID {
			continue
		}
		name := "#old" + strconv.Itoa(i)
		in.ExpressionAttributeNames[name] = list[i].ID
		if removes != "" {
			removes += ", "
		}
		removes += "#s." + name
	}
	if removes != "" {
		expr += " REMOVE " + removes
	}
	in.UpdateExpression = aws.String(expr)
	in.ConditionExpression = aws.String(sameSessions(in, list))
	return in
}

// TouchSession sets the entry's last-seen time, only if the entry is
// there: an ended session is not brought back.
func (d *Directory) TouchSession(ctx context.Context, userID, sid string, at time.Time) error {
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.Table),
		Key:                       sessionsKey(userID),
		UpdateExpression:          aws.String("SET #s.#sid.#seen = :at"),
		ConditionExpression:       aws.String("attribute_exists(#s.#sid)"),
		ExpressionAttributeNames:  map[string]string{"#s": attrSessions, "#sid": sid, "#seen": attrSeen},
		ExpressionAttributeValues: item{":at": num(at.UnixNano())},
	})
	if err != nil && !isConditionFailed(err) {
		return storeError("touch session", err)
	}
	return nil
}

// EndSession removes the session's entry.
func (d *Directory) EndSession(ctx context.Context, userID, sid string) error {
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(d.Table),
		Key:                      sessionsKey(userID),
		UpdateExpression:         aws.String("REMOVE #s.#sid"),
		ConditionExpression:      aws.String("attribute_exists(#s)"),
		ExpressionAttributeNames: map[string]string{"#s": attrSessions, "#sid": sid},
	})
	if err != nil && !isConditionFailed(err) {
		return storeError("end session", err)
	}
	return nil
}

// KeepOnlySession removes every entry but keep's, in one UpdateItem; with
// no keep it removes the whole map (an UpdateItem too: the app's role may
// not delete items of the users table).
func (d *Directory) KeepOnlySession(ctx context.Context, userID, keep string) error {
	if keep == "" {
		_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                aws.String(d.Table),
			Key:                      sessionsKey(userID),
			UpdateExpression:         aws.String("REMOVE #s"),
			ExpressionAttributeNames: map[string]string{"#s": attrSessions},
		})
		if err != nil {
			return storeError("end sessions", err)
		}
		return nil
	}
	// Exactly the sessions read go: a login that lands in between fails the
	// write (sameSessions), and the next round ends it too.
	return d.retrySessions(ctx, userID, "end other sessions", func(list []imageapp.Session) *dynamodb.UpdateItemInput {
		in := &dynamodb.UpdateItemInput{
			TableName:                 aws.String(d.Table),
			Key:                       sessionsKey(userID),
			ExpressionAttributeNames:  map[string]string{"#s": attrSessions},
			ExpressionAttributeValues: item{},
		}
		removes := ""
		for i, s := range list {
			if s.ID == keep {
				continue
			}
			name := "#sid" + strconv.Itoa(i)
			in.ExpressionAttributeNames[name] = s.ID
			if removes != "" {
				removes += ", "
			}
			removes += "#s." + name
		}
		if removes == "" {
			return nil
		}
		in.UpdateExpression = aws.String("REMOVE " + removes)
		in.ConditionExpression = aws.String(sameSessions(in, list))
		return in
	})
}

// Sessions reads the user's item, strongly consistent: an ended session
// must fail its very next request on any instance. nil when the user has
// no map at all (AddSession creates it then).
func (d *Directory) Sessions(ctx context.Context, userID string) ([]imageapp.Session, error) {
	out, err := d.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(d.Table),
		Key:            sessionsKey(userID),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, storeError("sessions", err)
	}
	m, ok := out.Item[attrSessions].(*types.AttributeValueMemberM)
	if !ok {
		return nil, nil
	}
	list := make([]imageapp.Session, 0, len(m.Value))
	for sid, v := range m.Value {
		entry, ok := v.(*types.AttributeValueMemberM)
		if !ok {
			continue
		}
		dec := decoder{it: entry.Value}
		s := imageapp.Session{ID: sid, Device: dec.str(attrDevice), Created: dec.time(attrCreatedAt), LastSeen: dec.time(attrSeen),
			KeepSignedIn: dec.boolean(attrKeep)}
		if dec.err != nil {
			return nil, dec.err
		}
		list = append(list, s)
	}
	imageapp.SortSessions(list)
	return list, nil
}
