package dynamostore

// SetFilteredPaging shrinks a filtered page's Query size and call budget
// until restore, so a test reaches the budget with a few messages.
func SetFilteredPaging(batch, calls int) (restore func()) {
	b, c := filteredBatch, filteredCalls
	filteredBatch, filteredCalls = batch, calls
	return func() { filteredBatch, filteredCalls = b, c }
}
