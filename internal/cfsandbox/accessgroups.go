package cfsandbox

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"
)

// Access groups (API reference, "Access Groups"): a name and include,
// exclude and require rules of the same shapes as a policy's, at least one
// include rule. Rules may name another group.

type accessGroup struct {
	id      string
	fields  fields
	created time.Time
	updated time.Time
	seq     uint64
}

func (s *Server) validateGroup(f fields) error {
	if strings.TrimSpace(f.str("name")) == "" {
		return errAccess("group name is required")
	}
	if !nonEmptyList(f["include"]) {
		return errAccess("group include must be a non-empty list of rules")
	}
	for _, k := range []string{"include", "exclude", "require"} {
		if err := s.checkRules(k, f[k], ""); err != nil {
			return err
		}
	}
	return nil
}

func (g *accessGroup) object() map[string]any {
	// is_default: the API reference types it as a list of rules (as
	// cloudflare-go v7's AccessGroupGetResponse does); a group made through
	// the API has none.
	out := map[string]any{"exclude": []any{}, "require": []any{}, "is_default": []any{}}
	for k, v := range g.fields {
		out[k] = v
	}
	out["id"] = g.id
	return out
}

func (s *Server) group(c *call) (*accessGroup, error) {
	if g := s.groups[c.params["group_id"]]; g != nil {
		return g, nil
	}
	return nil, errAccessNotFound("group")
}

// listGroups supports the reference's name filter (exact) and search
// (substring of the name, case-insensitive).
func (s *Server) listGroups(c *call) (reply, error) {
	gs := slices.SortedFunc(maps.Values(s.groups), func(a, b *accessGroup) int { return cmp.Compare(a.seq, b.seq) })
	q := c.query
	out := []map[string]any{}
	for _, g := range gs {
		name := g.fields.str("name")
		if q.Has("name") && name != q.Get("name") ||
			q.Has("search") && !strings.Contains(strings.ToLower(name), strings.ToLower(q.Get("search"))) {
			continue
		}
		out = append(out, g.object())
	}
	return listReply(out, q, accessPages)
}

func (s *Server) createGroup(c *call) (reply, error) {
	f, err := parseAccessBody(c.body)
	if err != nil {
		return reply{}, err
	}
	f = withoutServerOwned(f)
	if err := s.validateGroup(f); err != nil {
		return reply{}, err
	}
	g := &accessGroup{id: newUUID(), fields: f, created: c.now, updated: c.now, seq: s.nextSeq()}
	s.groups[g.id] = g
	return ok(g.object())
}

func (s *Server) getGroup(c *call) (reply, error) {
	g, err := s.group(c)
	if err != nil {
		return reply{}, err
	}
	return ok(g.object())
}

func (s *Server) putGroup(c *call) (reply, error) {
	g, err := s.group(c)
	if err != nil {
		return reply{}, err
	}
	f, err := parseAccessBody(c.body)
	if err != nil {
		return reply{}, err
	}
	f = withoutServerOwned(f)
	if err := s.validateGroup(f); err != nil {
		return reply{}, err
	}
	g.fields, g.updated = f, c.now
	return ok(g.object())
}

// deleteGroup answers {"id"} (v7's AccessGroupDeleteResponse). Policies
// naming the group keep the rule ([unconfirmed], as for service tokens).
func (s *Server) deleteGroup(c *call) (reply, error) {
	g, err := s.group(c)
	if err != nil {
		return reply{}, err
	}
	delete(s.groups, g.id)
	return ok(map[string]string{"id": g.id})
}
