package auth

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestHasherBusy fills every hashing slot and checks that the next caller is
// refused with ErrBusy (and a retry hint) once MaxWait passes, rather than
// queueing without bound. No timing is asserted: MaxWait is tiny.
func TestHasherBusy(t *testing.T) {
	h, err := NewHasher(Argon2Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1}, 2, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range cap(h.slots) {
		if err := h.acquire(ctx); err != nil {
			t.Fatalf("acquire a free slot: %v", err)
		}
	}
	_, err = h.Hash(ctx, "correct horse battery")
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("Hash with every slot taken: got %v, want %v", err, ErrBusy)
	}
	var de *Error
	if !errors.As(err, &de) || de.RetryAfter <= 0 {
		t.Errorf("busy error %#v carries no RetryAfter", err)
	}
	if _, err := h.Verify(ctx, "", "x"); !errors.Is(err, ErrBusy) {
		t.Fatalf("Verify with every slot taken: got %v, want %v", err, ErrBusy)
	}

	h.release()
	if _, err := h.Hash(ctx, "correct horse battery"); err != nil {
		t.Fatalf("Hash after a slot was freed: %v", err)
	}
}

// TestHasherWaitCancelled checks that a caller waiting for a slot leaves when its
// request is cancelled, with the context's error rather than ErrBusy.
func TestHasherWaitCancelled(t *testing.T) {
	h, err := NewHasher(Argon2Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1}, 1, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = h.Hash(ctx, "correct horse battery")
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrBusy) {
		t.Fatalf("Hash with a cancelled context: got %v, want context.Canceled", err)
	}
}
