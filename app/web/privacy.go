package web

// Privacy settings: read receipts, being listed in the directory and
// message requests. The page form posts three checkboxes (an unchecked one is not sent, so absent
// means off); the JSON twin takes booleans and leaves out what it omits.

// PrivacyForm is the settings page's form: "on" (any non-empty value) or absent.
type PrivacyForm struct {
	ReadReceipts    string `form:"read_receipts"`
	Listed          string `form:"listed"`
	MessageRequests string `form:"message_requests"`
}
