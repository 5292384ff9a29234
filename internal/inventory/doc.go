// Package inventory builds an Ansible dynamic inventory from EC2 instances.
//
// The work is split so each part can be tested alone:
//
//   - LoadConfig reads the YAML config (aws_ec2 and ec2.ini option names) and
//     reports mistakes with file and line.
//   - Accounts builds EC2 clients with the AWS SDK's default credential chain,
//     endpoint settings, adaptive retries and assumed roles.
//   - Fetch reads every account and region concurrently through the narrow
//     API interface, paginated, with include/exclude filters.
//   - Build is pure: hostnames, hostvars, built-in, keyed and conditional
//     groups, compose; it refuses duplicate or missing hostnames.
//   - WriteList, WriteHostVars and WriteTable print; Cache stores --list output.
//
// Run ties them together for the ec2-inventory binary.
package inventory
