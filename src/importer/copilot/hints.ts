/** What a Copilot field with no prop becomes in its TODO, by its path. */

/** What to do with a field that has no prop, by its path. */
export const HINTS: Array<[RegExp, string]> = [
  [/^(environments\.[^.]+\.)?network\.vpc\.placement/, 'tasks run in the environment\'s task subnets (Network.newVpc or fromVpc taskSubnets)'],
  [/^(environments\.[^.]+\.)?network\.vpc\.security_groups/, 'the workload has a security group of its own: admit it where these groups were admitted (workload.connections)'],
  [/^network\.vpc\.security_group/, 'the library creates the security groups; add rules to environment or workload connections'],
  [/^(environments\.[^.]+\.)?http\.alb/, 'workloads share the environment\'s load balancer; an existing one goes to Environment.fromAttributes'],
  [/redirect_to_https$/, 'an environment with a certificate redirects HTTP to HTTPS'],
  [/^(environments\.[^.]+\.)?nlb/, 'NetworkService has no such option; set it on its load balancer or target group by hand'],
  [/^cdn/, 'CloudFront is not part of the library; create the distribution in the stack and admit it with IngressSource.cloudFront()'],
  [/^http\.private\.subnets/, 'the load balancer uses the network\'s load-balancer subnets (Network loadBalancerSubnets)'],
  [/^http\.public\.certificates|^http\.private/, 'the environment has one load balancer'],
  [/^logging\.env_file/, 'the FireLens router takes no environment file here; pass its variables in the config file'],
  [/secretOptions/, 'pass the secret to the output with LogDestination.fluentBitOutput options or a config file'],
  [/^(environments\.[^.]+\.)?http/, 'WebService has no such option; set it on its target group or listener rule by hand'],
  [/^(environments\.[^.]+\.)?count/, 'this workload type scales with other props'],
];
