package s3blobs_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"imageapp/app/aws/awsbackend"
	"imageapp/app/aws/s3blobs"
	"imageapp/app/awstest"
	"imageapp/app/imageapp"
)

var stack *awstest.Stack

func TestMain(m *testing.M) {
	os.Exit(awstest.RunMain(m, awstest.Options{Services: []awstest.Service{awstest.S3}}, &stack))
}

var buckets atomic.Int32

// newBlobs returns Blobs on a fresh bucket, over a client that counts calls.
func newBlobs(t *testing.T) (*s3blobs.Blobs, *counting) {
	t.Helper()
	ctx := context.Background()
	cfg, err := awsbackend.LoadConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	client := awsbackend.NewClients(cfg).S3
	if !client.Options().UsePathStyle {
		t.Fatal("with AWS_ENDPOINT_URL_S3 set, the client must use path-style addressing")
	}
	bucket := "blobs-" + string(rune('a'+buckets.Add(1)))
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	c := &counting{API: client}
	return s3blobs.New(c, bucket, client.Options().RequestChecksumCalculation), c
}

// counting records which calls the adapter makes.
type counting struct {
	s3blobs.API
	puts, parts, creates atomic.Int32
}

func (c *counting) PutObject(ctx context.Context, in *s3.PutObjectInput, o ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	c.puts.Add(1)
	return c.API.PutObject(ctx, in, o...)
}

func (c *counting) UploadPart(ctx context.Context, in *s3.UploadPartInput, o ...func(*s3.Options)) (*s3.UploadPartOutput, error) {
	c.parts.Add(1)
	return c.API.UploadPart(ctx, in, o...)
}

func (c *counting) CreateMultipartUpload(ctx context.Context, in *s3.CreateMultipartUploadInput, o ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error) {
	c.creates.Add(1)
	return c.API.CreateMultipartUpload(ctx, in, o...)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{1})
	r.Read(b)
	return b
}

// onlyReader hides every method but Read, like a request body does.
type onlyReader struct{ io.Reader }

func TestSmallBlobRoundTrips(t *testing.T) {
	ctx := context.Background()
	blobs, calls := newBlobs(t)
	want := randomBytes(100_000)
	if err := blobs.PutBlob(ctx, "00aa11bb22cc", onlyReader{bytes.NewReader(want)}); err != nil {
		t.Fatalf("put: %v", err)
	}
	if calls.puts.Load() != 1 || calls.creates.Load() != 0 {
		t.Errorf("a blob under one part took %d PutObject and %d multipart uploads; want one PutObject", calls.puts.Load(), calls.creates.Load())
	}
	assertBlob(t, blobs, "00aa11bb22cc", want)
}

// TestLargeBlobStreamsInParts checks that an upload goes out in parts while
// the body is still being produced: the whole image is never in memory.
func TestLargeBlobStreamsInParts(t *testing.T) {
	ctx := context.Background()
	blobs, calls := newBlobs(t)
	want := randomBytes(3*s3blobs.PartSize + 12345)
	pr, pw := io.Pipe()
	partsBeforeEnd := make(chan int32, 1)
	go func() {
		pw.Write(want[:2*s3blobs.PartSize+1])
		// The writer blocks until the uploader reads; give it time to send a part.
		deadline := time.Now().Add(10 * time.Second)
		for calls.parts.Load() == 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		partsBeforeEnd <- calls.parts.Load()
		pw.Write(want[2*s3blobs.PartSize+1:])
		pw.Close()
	}()
	if err := blobs.PutBlob(ctx, "0123456789abcdef", pr); err != nil {
		t.Fatalf("put: %v", err)
	}
	if n := <-partsBeforeEnd; n == 0 {
		t.Error("no part was uploaded before the body ended: the upload is buffered, not streamed")
	}
	if got := calls.parts.Load(); got != 4 {
		t.Errorf("uploaded %d parts, want 4 of at most %d bytes", got, s3blobs.PartSize)
	}
	assertBlob(t, blobs, "0123456789abcdef", want)
}

func TestFailedUploadLeavesNothing(t *testing.T) {
	ctx := context.Background()
	blobs, _ := newBlobs(t)
	boom := errors.New("client went away")
	body := io.MultiReader(bytes.NewReader(randomBytes(s3blobs.PartSize+100)), errReader{boom})
	if err := blobs.PutBlob(ctx, "deadbeef00", body); err == nil {
		t.Fatal("put of a body that fails half-way succeeded")
	}
	if _, err := blobs.Blob(ctx, "deadbeef00"); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		t.Errorf("after a failed put, get = %v; want ENOTFOUND", err)
	}
	uploads, err := blobs.S3.(*counting).API.(*s3.Client).ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(blobs.Bucket)})
	if err != nil {
		t.Fatalf("list multipart uploads: %v", err)
	}
	if len(uploads.Uploads) != 0 {
		t.Errorf("%d multipart uploads left open; the uploader must abort them", len(uploads.Uploads))
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestMissingAndInvalidKeys(t *testing.T) {
	ctx := context.Background()
	blobs, _ := newBlobs(t)
	if _, err := blobs.Blob(ctx, "abcdef0123"); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		t.Errorf("get of a missing blob = %v; want ENOTFOUND", err)
	}
	if _, err := blobs.Blob(ctx, "../secrets"); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		t.Errorf("get of an invalid key = %v; want ENOTFOUND", err)
	}
	if err := blobs.PutBlob(ctx, "Not-A-Message-ID", bytes.NewReader(nil)); err == nil {
		t.Error("put under an invalid key succeeded")
	}
	if err := blobs.DeleteBlob(ctx, "abcdef0123"); err != nil {
		t.Errorf("deleting a missing blob = %v; want nil", err)
	}
}

func TestDeleteAndList(t *testing.T) {
	ctx := context.Background()
	blobs, _ := newBlobs(t)
	client := blobs.S3.(*counting).API.(*s3.Client)
	// Something outside messages/ is not the app's, and not listed.
	client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(blobs.Bucket), Key: aws.String("other/thing"), Body: bytes.NewReader([]byte("x"))})
	for _, k := range []string{"aaaaaaaa01", "bbbbbbbb02", "cccccccc03"} {
		if err := blobs.PutBlob(ctx, k, bytes.NewReader([]byte(k))); err != nil {
			t.Fatal(err)
		}
	}
	if err := blobs.DeleteBlob(ctx, "bbbbbbbb02"); err != nil {
		t.Fatalf("delete: %v", err)
	}
	var keys []string
	err := blobs.ListBlobs(ctx, func(b imageapp.BlobInfo) error {
		if time.Since(b.Modified) > time.Hour || b.Modified.IsZero() {
			t.Errorf("blob %s modified %v; want about now", b.Key, b.Modified)
		}
		keys = append(keys, b.Key)
		return nil
	})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	sort.Strings(keys)
	if len(keys) != 2 || keys[0] != "aaaaaaaa01" || keys[1] != "cccccccc03" {
		t.Errorf("listed %v; want [aaaaaaaa01 cccccccc03]", keys)
	}
}

func assertBlob(t *testing.T, blobs *s3blobs.Blobs, key string, want []byte) {
	t.Helper()
	rc, err := blobs.Blob(context.Background(), key)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("blob %s: got %d bytes, want %d identical bytes", key, len(got), len(want))
	}
}
