package web

import (
	"net/http"
)

// FlushAnswer sends what the handler wrote to the client, then closes
// answered: the send's preview is made only after, so it never delays the
// answer. (A failed flush is a client gone; its preview is still made.)
func FlushAnswer(w http.ResponseWriter, answered chan<- struct{}) {
	_ = http.NewResponseController(w).Flush()
	close(answered)
}
