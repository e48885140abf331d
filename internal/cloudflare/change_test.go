package cloudflare

import (
	"context"
	"testing"
)

// TestChangeEndsWithItsWrite: an announcement ends when its write returns,
// before Done; a context of another client's change, or none, announces
// nothing; Done ends what was never written.
func TestChangeEndsWithItsWrite(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	c := sb.client(t, nil)
	other := sb.client(t, nil)
	tunnel, creates, deletes := c.tunnelBatch(sb.tunnel.ID), c.dnsCreateBatch(sb.zone.ID), c.dnsDeleteBatch(sb.zone.ID)
	announced := func() [3]int { return [3]int{tunnel.Announced(), creates.Announced(), deletes.Announced()} }

	ctx, change := c.BeginChange(testContext(t), Change{TunnelID: sb.tunnel.ID, ZoneID: sb.zone.ID, DNS: DNSCreate})
	change.ExpectDNS(DNSDelete, sb.zone.ID)
	if got := announced(); got != [3]int{1, 1, 1} {
		t.Fatalf("announced %v, want one of each", got)
	}
	otherCtx, otherChange := other.BeginChange(context.Background(), Change{TunnelID: sb.tunnel.ID})
	defer otherChange.Done()
	if _, err := c.UpdateTunnelConfig(otherCtx, sb.tunnel.ID, addRule("a.example.com")); err != nil {
		t.Fatal(err)
	}
	if got := announced(); got != [3]int{1, 1, 1} {
		t.Errorf("after a write under another client's change: announced %v, want one of each", got)
	}
	if _, err := c.UpdateTunnelConfig(ctx, sb.tunnel.ID, addRule("b.example.com")); err != nil {
		t.Fatal(err)
	}
	rec, err := c.CreateCNAME(ctx, sb.zone.ID, CNAME{Name: "b.example.com", Target: tunnelTarget})
	if err != nil {
		t.Fatal(err)
	}
	if got := announced(); got != [3]int{0, 0, 1} {
		t.Errorf("after the update and the create: announced %v, want only the delete", got)
	}
	change.Done()
	change.Done()
	if got := announced(); got != [3]int{} {
		t.Errorf("after Done: announced %v, want none", got)
	}
	if err := c.DeleteDNSRecord(ctx, sb.zone.ID, rec.ID); err != nil {
		t.Fatal(err)
	}
	if got := announced(); got != [3]int{} {
		t.Errorf("after a write of an ended change: announced %v, want none", got)
	}
}
