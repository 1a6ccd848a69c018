package messaging

// Metrics counts what the service does; package metrics implements it and
// exports the counts (CloudWatch Embedded Metric Format).
type Metrics interface {
	Count(name string, n int64)
}

// The names of the service's metrics.
const (
	MetricSends          = "Sends"
	MetricOpens          = "Opens"
	MetricMailsSent      = "MailsSent"      // single notifications mailed at once
	MetricDigestsSent    = "DigestsSent"    // digests mailed by the sweep
	MetricMailsCoalesced = "MailsCoalesced" // notifications that joined a digest
	MetricMailErrors     = "MailErrors"
	MetricStoreErrors    = "StoreErrors"
)

func (s *Service) count(name string, n int64) {
	if s.Metrics != nil {
		s.Metrics.Count(name, n)
	}
}

// Depth is how many previews are queued or being made on this instance.
func (q *PreviewQueue) Depth() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.pending
}
