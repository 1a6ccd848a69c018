# The two tables, as app/aws/dynamostore/schema.go describes them (CreateTables
# there is the executable copy used by the tests and the dev stack).

resource "aws_dynamodb_table" "users" {
  name                        = "${var.app_name}-users"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "username" # the lowercased username
  deletion_protection_enabled = true

  attribute {
    name = "username"
    type = "S"
  }

  attribute {
    name = "user_id"
    type = "S"
  }

  # "all#<n>" on every listed user, n = FNV-1a(username) mod 8 ("hidden" on
  # one who asked not to be listed, a key no page queries; "all" on one listed
  # before the shards, until `imageapp aws backfill`): the directory-index
  # keeps each shard sorted by username, and a page (or a prefix search,
  # begins_with) merges a Query of each shard (app/aws/dynamostore/directoryshards.go).
  attribute {
    name = "directory"
    type = "S"
  }

  # Read only to turn a user ID into the username (the table's key), then the
  # item itself with a consistent read (Directory.UserByID): keys only.
  global_secondary_index {
    name            = "user_id-index"
    hash_key        = "user_id"
    projection_type = "KEYS_ONLY"
  }

  global_secondary_index {
    name            = "directory-index"
    hash_key        = "directory"
    range_key       = "username"
    projection_type = "ALL"
  }

  point_in_time_recovery {
    enabled = true
  }

  # Encrypted with the AWS managed key aws/dynamodb (callers need no KMS grant).
  server_side_encryption {
    enabled = true
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }
}

resource "aws_dynamodb_table" "messages" {
  name                        = "${var.app_name}-messages"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "message_id"
  deletion_protection_enabled = true

  attribute {
    name = "message_id"
    type = "S"
  }

  attribute {
    name = "recipient_id"
    type = "S"
  }

  attribute {
    name = "sender_id"
    type = "S"
  }

  # Present only while the message is unread: the unread index is sparse.
  attribute {
    name = "unread_recipient_id"
    type = "S"
  }

  # Present only once the message is read: the read index is sparse too.
  attribute {
    name = "read_recipient_id"
    type = "S"
  }

  # "<created_at, 20 digits>#<message_id>": newest-first keyset pages.
  attribute {
    name = "sort_key"
    type = "S"
  }

  # Pending markers of blob uploads (items with no sort_key, replaced by the
  # message when it lands): "p0".."p3" and "<started, 20 digits>#<message_id>".
  # The pending-index is sparse; the orphan sweeper queries it by time.
  attribute {
    name = "pending_shard"
    type = "S"
  }

  attribute {
    name = "pending_key"
    type = "S"
  }

  # The two user IDs of a message in order (sender and recipient either way):
  # the images two people exchanged, as one conversation, newest first.
  attribute {
    name = "pair"
    type = "S"
  }

  # Only on expiring messages: "e0".."e3" and "<expires_at, 20 digits>#<message_id>".
  # The expiry-index is sparse; the expiry sweep queries it by time and
  # shreds what ran out (TTL on expires_at is the backstop).
  attribute {
    name = "expiry_shard"
    type = "S"
  }

  attribute {
    name = "expiry_key"
    type = "S"
  }

  # Only on message requests (images from strangers to someone who accepts
  # only people they know): the recipient's ID, in place of recipient_id.
  # The request-index is sparse: a recipient's waiting requests.
  attribute {
    name = "request_recipient_id"
    type = "S"
  }

  # Only while a message's previews are still to be made (they are made
  # after the send answers): "v0".."v3" and "<created_at, 20 digits>#<message_id>".
  # The preview-index is sparse and keys only; the preview sweep queries it
  # by time and redoes what a crash or a full queue left undone.
  attribute {
    name = "preview_shard"
    type = "S"
  }

  attribute {
    name = "preview_key"
    type = "S"
  }

  global_secondary_index {
    name            = "recipient-index"
    hash_key        = "recipient_id"
    range_key       = "sort_key"
    projection_type = "ALL"
  }

  global_secondary_index {
    name            = "sender-index"
    hash_key        = "sender_id"
    range_key       = "sort_key"
    projection_type = "ALL"
  }

  global_secondary_index {
    name            = "unread-index"
    hash_key        = "unread_recipient_id"
    range_key       = "sort_key"
    projection_type = "ALL"
  }

  global_secondary_index {
    name            = "read-index"
    hash_key        = "read_recipient_id"
    range_key       = "sort_key"
    projection_type = "ALL"
  }

  # The sweeps read only keys from these two (app/aws/dynamostore/pending.go
  # shardKeysBefore: ProjectionExpression = the index's range key): KEYS_ONLY
  # writes and stores a fraction of ALL. The others serve pages that read
  # whole items (ALL); see terraform/README.md for which could shrink.
  global_secondary_index {
    name            = "pending-index"
    hash_key        = "pending_shard"
    range_key       = "pending_key"
    projection_type = "KEYS_ONLY"
  }

  global_secondary_index {
    name            = "conversation-index"
    hash_key        = "pair"
    range_key       = "sort_key"
    projection_type = "ALL"
  }

  global_secondary_index {
    name            = "expiry-index"
    hash_key        = "expiry_shard"
    range_key       = "expiry_key"
    projection_type = "KEYS_ONLY"
  }

  global_secondary_index {
    name            = "request-index"
    hash_key        = "request_recipient_id"
    range_key       = "sort_key"
    projection_type = "ALL"
  }

  global_secondary_index {
    name            = "preview-index"
    hash_key        = "preview_shard"
    range_key       = "preview_key"
    projection_type = "KEYS_ONLY"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }
}
