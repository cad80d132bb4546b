"""Backend.AI's GraphQL API on the manager (`POST /admin/gql`): the part of its schema that its
CLI and WebUI use (schema.graphql), resolved through portico's services, within limits of
depth, size and time."""
