package live

import "imageapp/app/messaging"

type Messaging = *messaging.Service
