// Package s3blobs stores encrypted images in S3 under messages/<id>,
// streaming both ways: uploads go out in parts of a few MiB, downloads are
// the GetObject body, so no image is ever held whole in memory.
package s3blobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"imageapp/app/imageapp"
)

// API is the part of the S3 client the adapter uses (the uploader's calls
// plus reads, deletes and listing).
type API interface {
	manager.UploadAPIClient
	s3.ListObjectsV2APIClient
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

const (
	// Prefix is where blobs live in the bucket.
	Prefix = "messages/"
	// PartSize is S3's smallest multipart part: the most an upload buffers.
	PartSize = 5 << 20
)

// Blobs implements imageapp.Blobs on one bucket.
type Blobs struct {
	S3       API
	Bucket   string
	uploader *manager.Uploader
}

var _ imageapp.Blobs = (*Blobs)(nil)

// New returns Blobs on bucket. checksum is the client's request checksum
// setting, passed on to the uploader, which does not inherit it (0 keeps
// the uploader's default, a CRC32 per part).
func New(client API, bucket string, checksum aws.RequestChecksumCalculation) *Blobs {
	return &Blobs{S3: client, Bucket: bucket, uploader: manager.NewUploader(client, func(u *manager.Uploader) {
		u.PartSize = PartSize
		u.Concurrency = 1 // one part in flight: memory stays at one or two parts per upload
		if checksum != 0 {
			u.RequestChecksumCalculation = checksum
		}
	})}
}

// Blob keys are message IDs; refusing anything else rules out key tricks.
var keyPattern = regexp.MustCompile(`^[0-9a-f]{8,64}$`)

func objectKey(key string) (string, bool) {
	return Prefix + key, keyPattern.MatchString(key)
}

// PutBlob streams r to messages/<key>. The uploader aborts a multipart
// upload that fails, and an object appears only once complete, so a failed
// put leaves nothing behind.
func (b *Blobs) PutBlob(ctx context.Context, key string, r io.Reader) error {
	k, ok := objectKey(key)
	if !ok {
		return fmt.Errorf("s3blobs: invalid blob key %q", key)
	}
	_, err := b.uploader.Upload(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(b.Bucket),
		Key:         aws.String(k),
		Body:        r,
		ContentType: aws.String("application/octet-stream"),
	})
	if err != nil {
		return fmt.Errorf("s3blobs: put %s: %w", k, err)
	}
	return nil
}

// Blob returns the object's body as a stream; ENOTFOUND if it is missing.
func (b *Blobs) Blob(ctx context.Context, key string) (io.ReadCloser, error) {
	k, ok := objectKey(key)
	if !ok {
		return nil, imageapp.ErrNoSuchBlob()
	}
	out, err := b.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.Bucket), Key: aws.String(k)})
	var (
		noKey    *types.NoSuchKey
		notFound *types.NotFound
	)
	if errors.As(err, &noKey) || errors.As(err, &notFound) {
		return nil, imageapp.ErrNoSuchBlob()
	}
	if err != nil {
		return nil, fmt.Errorf("s3blobs: get %s: %w", k, err)
	}
	return out.Body, nil
}

// DeleteBlob removes the object; S3 answers a missing key with success too.
func (b *Blobs) DeleteBlob(ctx context.Context, key string) error {
	k, ok := objectKey(key)
	if !ok {
		return fmt.Errorf("s3blobs: invalid blob key %q", key)
	}
	if _, err := b.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b.Bucket), Key: aws.String(k)}); err != nil {
		return fmt.Errorf("s3blobs: delete %s: %w", k, err)
	}
	return nil
}

// ListBlobs pages through messages/ with ListObjectsV2.
func (b *Blobs) ListBlobs(ctx context.Context, fn func(imageapp.BlobInfo) error) error {
	pages := s3.NewListObjectsV2Paginator(b.S3, &s3.ListObjectsV2Input{Bucket: aws.String(b.Bucket), Prefix: aws.String(Prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("s3blobs: list: %w", err)
		}
		for _, obj := range page.Contents {
			info := imageapp.BlobInfo{Key: strings.TrimPrefix(aws.ToString(obj.Key), Prefix), Modified: aws.ToTime(obj.LastModified)}
			if err := fn(info); err != nil {
				return err
			}
		}
	}
	return nil
}
