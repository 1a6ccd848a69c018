package pages

import (
	"imageapp/app/accounts"
	"imageapp/app/messaging"
)

type Accounts = *accounts.Service
type Messaging = *messaging.Service
