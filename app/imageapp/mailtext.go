package imageapp

import "fmt"

// MailSubject and MailBody are the words of a notification mail, shared by
// every AWS mail mode (SNS topics, SES): who sent how many images and a
// link, never a caption, an image or a key.
func (n Notification) MailSubject() string {
	if n.IsDigest() {
		return n.Summary()
	}
	return fmt.Sprintf("New image from %s", n.SenderName)
}

// MailBody links baseURL + /messages/<id>, or baseURL + /inbox for a
// digest; an empty baseURL leaves the path alone.
func (n Notification) MailBody(baseURL string) string {
	if n.IsDigest() {
		return fmt.Sprintf("%s on ImageApp.\n\nOpen your inbox: %s/inbox\n", n.Summary(), baseURL)
	}
	return fmt.Sprintf("%s on ImageApp.\n\nOpen it: %s/messages/%s\n", n.Summary(), baseURL, n.MessageID)
}
