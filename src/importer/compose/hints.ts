/** What a Compose field with no prop becomes in its TODO, by its path. */

/** What to do with a field that has no prop, by its path. */
export const HINTS: Array<[RegExp, string]> = [
  [/\.(extends)\b|^include/, 'Compose merges it: import the output of `docker compose config`, which resolves extends, include, profiles and variables'],
  [/\.build\./, 'Image.fromAsset runs docker build: set its other options (buildSecrets, cacheFrom, platform, outputs) by hand'],
  [/\.(gpus|deploy\.resources\.reservations\.(devices|generic_resources))\b/, 'GPUs need EC2 capacity: gpuCount with Capacity.autoScaling'],
  [/\.deploy\.mode\b/, 'replicated is a service; global is a DaemonService on EC2 or Managed Instances capacity that the other services run on too (a managed daemon runs only on instances launched for tasks)'],
  [/\.healthcheck\.start_interval\b/, 'ECS checks at the interval during the start period too'],
  [/\.(post_start|pre_stop)\b/, 'run it from the entry point (or a lifecycle hook of the deployment)'],
  [/\.(privileged|security_opt|userns_mode|pid|ipc|uts|cgroup|cgroup_parent|devices|device_cgroup_rules)\b/, 'the secure baseline runs tasks unprivileged, in namespaces of their own: an application adds the capability it needs (linuxSettings.addCapabilities); a host agent is a DaemonService, which takes hostPidNamespace, hostIpcNamespace and containerSecurity.privileged'],
  [/\.(networks|network_mode|links|external_links|hostname|domainname|dns|dns_opt|dns_search|extra_hosts|mac_address)\b|^networks/, 'tasks share the environment\'s VPC and call each other through Service Connect (connectTo)'],
  [/\.(restart|deploy\.restart_policy)\b/, 'ECS replaces a stopped task of a service; restartPolicy restarts a container in place'],
  [/\.(logging)\b/, 'logs go to CloudWatch Logs (logging: Logging.awsLogs, fireLens or splunk)'],
  [/\.(shm_size|sysctls|storage_opt|oom_kill_disable|oom_score_adj|pids_limit|mem_swappiness|memswap_limit|blkio_config|deploy\.resources\.limits\.pids)\b/,
    'Fargate does not take it; on EC2 capacity set linuxSettings or the task definition by hand'],
  [/\.(cpu_count|cpu_percent|cpu_period|cpu_quota|cpu_rt_period|cpu_rt_runtime|cpu_shares|cpuset|deploy\.resources\.reservations\.cpus)\b/, 'a task has cpu units (cpu, containerCpu)'],
  [/\.deploy\.(placement|endpoint_mode|labels|rollback_config|update_config)\b/, 'ECS deploys with the rolling deployment and circuit breaker (deployment)'],
  [/\.(configs)\b|^configs/, 'build the file into the image, or pass it as a variable or secret'],
  [/\.(develop|attach|profiles|stdin_open|tty|pull_policy|pull_refresh_after|stop_signal|annotations|label_file|runtime|isolation|credential_spec|group_add|volumes_from|provider|models|use_api_socket)\b|^(models|version)/,
    'it shapes local runs of Compose, not a service in ECS'],
  [/^x-aws-(cluster|loadbalancer|cloudformation)/, 'the environment creates its cluster and load balancer; an existing one goes to Environment.fromAttributes, an overlay to escape hatches'],
  [/^secrets/, 'only secrets with external: true and a Secrets Manager ARN as name are imported'],
  [/^volumes/, 'the file system is EFS with the library\'s settings (encrypted, an access point per service)'],
];
