package cfsandbox

import "net/http"

// buildRoutes lists every endpoint. The templates double as counter keys
// ("GET /zones/{zone_id}/dns_records"), so keep them stable. Literal segments
// come before parameters at the same position.
func buildRoutes() []*route {
	type m = map[string]handler
	return []*route{
		newRoute("/user/tokens/verify", m{http.MethodGet: (*Server).verifyToken}),

		newRoute("/zones", m{http.MethodGet: (*Server).listZones}),
		newRoute("/zones/{zone_id}", m{http.MethodGet: (*Server).getZone}),
		newRoute("/zones/{zone_id}/dns_records", m{
			http.MethodGet:  (*Server).listRecords,
			http.MethodPost: (*Server).createRecord,
		}),
		newRoute("/zones/{zone_id}/dns_records/batch", m{http.MethodPost: (*Server).batchRecords}),
		newRoute("/zones/{zone_id}/dns_records/{dns_record_id}", m{
			http.MethodGet:    (*Server).getRecord,
			http.MethodPut:    (*Server).putRecord,
			http.MethodPatch:  (*Server).patchRecord,
			http.MethodDelete: (*Server).deleteRecord,
		}),

		newRoute("/accounts/{account_id}/cfd_tunnel", m{
			http.MethodGet:  (*Server).listTunnels,
			http.MethodPost: (*Server).createTunnel,
		}),
		newRoute("/accounts/{account_id}/cfd_tunnel/{tunnel_id}", m{
			http.MethodGet:    (*Server).getTunnel,
			http.MethodPatch:  (*Server).patchTunnel,
			http.MethodDelete: (*Server).deleteTunnel,
		}),
		newRoute("/accounts/{account_id}/cfd_tunnel/{tunnel_id}/token", m{http.MethodGet: (*Server).tunnelToken}),
		newRoute("/accounts/{account_id}/cfd_tunnel/{tunnel_id}/configurations", m{
			http.MethodGet: (*Server).getTunnelConfig,
			http.MethodPut: (*Server).putTunnelConfig,
		}),
		newRoute("/accounts/{account_id}/cfd_tunnel/{tunnel_id}/connections", m{
			http.MethodGet:    (*Server).listTunnelConnections,
			http.MethodDelete: (*Server).deleteTunnelConnections,
		}),

		newRoute("/accounts/{account_id}/access/apps", m{
			http.MethodGet:  (*Server).listApps,
			http.MethodPost: (*Server).createApp,
		}),
		newRoute("/accounts/{account_id}/access/apps/{app_id}", m{
			http.MethodGet:    (*Server).getApp,
			http.MethodPut:    (*Server).putApp,
			http.MethodDelete: (*Server).deleteApp,
		}),
		newRoute("/accounts/{account_id}/access/policies", m{
			http.MethodGet:  (*Server).listPolicies,
			http.MethodPost: (*Server).createPolicy,
		}),
		newRoute("/accounts/{account_id}/access/policies/{policy_id}", m{
			http.MethodGet:    (*Server).getPolicy,
			http.MethodPut:    (*Server).putPolicy,
			http.MethodDelete: (*Server).deletePolicy,
		}),
		newRoute("/accounts/{account_id}/access/groups", m{
			http.MethodGet:  (*Server).listGroups,
			http.MethodPost: (*Server).createGroup,
		}),
		newRoute("/accounts/{account_id}/access/groups/{group_id}", m{
			http.MethodGet:    (*Server).getGroup,
			http.MethodPut:    (*Server).putGroup,
			http.MethodDelete: (*Server).deleteGroup,
		}),
		newRoute("/accounts/{account_id}/access/identity_providers", m{
			http.MethodGet:  (*Server).listIdPs,
			http.MethodPost: (*Server).createIdP,
		}),
		newRoute("/accounts/{account_id}/access/identity_providers/{identity_provider_id}", m{
			http.MethodGet:    (*Server).getIdP,
			http.MethodDelete: (*Server).deleteIdP,
		}),
		newRoute("/accounts/{account_id}/access/organizations", m{http.MethodGet: (*Server).getOrganization}),
		newRoute("/accounts/{account_id}/access/service_tokens", m{
			http.MethodGet:  (*Server).listServiceTokens,
			http.MethodPost: (*Server).createServiceToken,
		}),
		newRoute("/accounts/{account_id}/access/service_tokens/{service_token_id}", m{
			http.MethodGet:    (*Server).getServiceToken,
			http.MethodPut:    (*Server).putServiceToken,
			http.MethodDelete: (*Server).deleteServiceToken,
		}),
		newRoute("/accounts/{account_id}/access/service_tokens/{service_token_id}/refresh", m{http.MethodPost: (*Server).refreshServiceToken}),
		newRoute("/accounts/{account_id}/access/service_tokens/{service_token_id}/rotate", m{http.MethodPost: (*Server).rotateServiceToken}),
	}
}

// verifyToken answers like the real endpoint: the token's id and status, and
// an informational message.
func (s *Server) verifyToken(c *call) (reply, error) {
	return reply{
		result:   map[string]string{"id": s.tokenID, "status": "active"},
		messages: []apiMessage{{Code: 10000, Message: "This API Token is valid and active"}},
	}, nil
}
