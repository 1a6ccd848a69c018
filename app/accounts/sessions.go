package accounts

import (
	"context"
	"time"

	"imageapp/app/imageapp"
)

// Sessions, one by one: each login is listed in the user's session
// registry, a session cookie works only while its ID is listed there, and
// the person can end any of them from any other.

// StartSession lists a new session of u: the device that just logged in.
func (s *Service) StartSession(ctx context.Context, u imageapp.User, sess imageapp.Session) error {
	return s.Sessions.AddSession(ctx, u.ID, sess)
}

// ActiveSession loads the user a session cookie names, if that session is
// still theirs: the same ID and session version (SessionUser), and its
// session ID still listed. It returns the listed session too, for its
// last-seen time. Returns ENOTFOUND for an ended session; a cookie from
// before the registry (no ID, or one never listed) is ended too.
func (s *Service) ActiveSession(ctx context.Context, id, username, sid string, version int64) (imageapp.User, imageapp.Session, error) {
	u, err := s.SessionUser(ctx, id, username, version)
	if err != nil {
		return u, imageapp.Session{}, err
	}
	list, err := s.Sessions.Sessions(ctx, u.ID)
	if err != nil {
		return imageapp.User{}, imageapp.Session{}, err
	}
	for _, sess := range list {
		if sess.ID == sid && sid != "" && !s.keptTooLong(sess) {
			return u, sess, nil
		}
	}
	return imageapp.User{}, imageapp.Session{}, imageapp.Errorf(imageapp.ENOTFOUND, "The session has ended.")
}

// keptTooLong reports whether sess was kept signed in and then not used for
// KeepSignedInFor. Checked here, on the listed last use, and not only by the
// cookie, so no copy of a cookie outlives it. (Other sessions end by the
// cookie's hours, which the web layer checks.)
func (s *Service) keptTooLong(sess imageapp.Session) bool {
	return sess.KeepSignedIn && s.now().Sub(sess.LastSeen) > imageapp.KeepSignedInFor
}

// TouchSession records that u used the session at at.
func (s *Service) TouchSession(ctx context.Context, u imageapp.User, sid string, at time.Time) error {
	return s.Sessions.TouchSession(ctx, u.ID, sid, at)
}

// ListSessions is u's active sessions, last seen first.
func (s *Service) ListSessions(ctx context.Context, u imageapp.User) ([]imageapp.Session, error) {
	return s.Sessions.Sessions(ctx, u.ID)
}

// EndSession ends one of u's sessions (this device's, at logout, or another
// from the list). Returns ENOTFOUND for an ID that is not one of u's
// sessions, so nobody learns about others' sessions.
func (s *Service) EndSession(ctx context.Context, u imageapp.User, sid string) error {
	list, err := s.Sessions.Sessions(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, sess := range list {
		if sess.ID == sid {
			s.log().InfoContext(ctx, "session ended", "user_id", u.ID)
			if err := s.Sessions.EndSession(ctx, u.ID, sid); err != nil {
				return err
			}
			s.sessionsEnded(ctx, u.ID)
			return nil
		}
	}
	return imageapp.Errorf(imageapp.ENOTFOUND, "That session has ended already.")
}

// EndOtherSessions ends every session of u but current.
func (s *Service) EndOtherSessions(ctx context.Context, u imageapp.User, current string) error {
	s.log().InfoContext(ctx, "other sessions ended", "user_id", u.ID)
	if err := s.Sessions.KeepOnlySession(ctx, u.ID, current); err != nil {
		return err
	}
	s.sessionsEnded(ctx, u.ID)
	return nil
}

// endAllSessions ends every session of the user: the version bump ends
// every cookie at once, and the registry is emptied so the list does not
// show sessions that cannot work any more.
func (s *Service) endAllSessions(ctx context.Context, userID string) error {
	if err := s.Sessions.BumpSessionVersion(ctx, userID); err != nil {
		return err
	}
	if err := s.Sessions.KeepOnlySession(ctx, userID, ""); err != nil {
		return err
	}
	s.sessionsEnded(ctx, userID)
	return nil
}

// sessionsEnded tells the user's open event streams, wherever they are
// served, that sessions ended, so the ones whose session it was end now
// rather than at their next check. The sessions have ended either way: a
// lost signal only leaves a stream open until that check (a heartbeat).
func (s *Service) sessionsEnded(ctx context.Context, userID string) {
	if s.Events == nil {
		return
	}
	if _, err := s.Events.Publish(ctx, userID, imageapp.Event{Kind: imageapp.EventSessionsEnded, Unread: -1}); err != nil {
		s.log().WarnContext(ctx, "open event streams not told that sessions ended; they end at their next check", "user_id", userID, "err", err)
	}
}
