package messaging

import (
	"crypto/ed25519"

	"imageapp/app/imageapp"
)

// RecordKey is the public key that signs the heads of the decrypt records:
// what a client pins on first use and verifies its record with. Returns
// EUNAVAILABLE when the app keeps no record.
func (s *Service) RecordKey() (ed25519.PublicKey, error) {
	if s.Record == nil {
		return nil, imageapp.Errorf(imageapp.EUNAVAILABLE, "The record of when your images were opened is not kept here.")
	}
	return s.Record.PublicKey(), nil
}
