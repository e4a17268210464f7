/** The operating system of EC2 container instances (ECS-optimized images, latest version at each deployment). */
export enum HostImage {
  /** Amazon Linux 2023 ECS-optimized: a general-purpose OS, configured through `/etc/ecs/ecs.config`. */
  AMAZON_LINUX_2023 = 'AMAZON_LINUX_2023',
  /**
   * Bottlerocket (`aws-ecs-2` variant): a minimal, immutable OS built only to run containers,
   * configured through TOML settings; no shell or package manager on the host.
   */
  BOTTLEROCKET = 'BOTTLEROCKET',
  /** Windows Server 2022 Full ECS-optimized (x86_64), for Windows containers based on ltsc2022 images. */
  WINDOWS_SERVER_2022 = 'WINDOWS_SERVER_2022',
  /** Windows Server 2025 Full ECS-optimized (x86_64), for Windows containers based on ltsc2025 images. */
  WINDOWS_SERVER_2025 = 'WINDOWS_SERVER_2025',
}
