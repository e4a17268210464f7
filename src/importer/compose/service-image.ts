// A Compose service's image and how it starts: the image built or pulled, the platform, the
// ports (the shared listener's path, a network service's load balancer), what the image needs
// (its own user, one task for a store) and the command.

import { isService, portsOf } from './analyse';
import type { ServiceMapping } from './service';
import { mapOf } from './values';
import type { ImageAssetOptions } from '../../index';
import { isImageReference } from '../../task/image';
import { code, commandWords, pascal, quote, QUOTED_COMMAND, registryImage, render, secretCode } from '../code';
import { PropsModel } from '../model';

/** The image: built from the file's context, or pulled (an unset tag variable pulls the latest, with a TODO). */
export function mapImage(c: ServiceMapping): void {
  const { f, s, at, props, todo } = c;
  // Image.
  if (f.has(at('build'))) {
    if (f.kind(at('build')) === 'scalar') {
      props.image = code(`Image.fromAsset(path.join(SOURCE, ${quote(f.str(at('build'))!)}))`);
    } else {
      // An empty dockerfile (an unset variable) is Docker's default, Dockerfile.
      const build: PropsModel<ImageAssetOptions> = {
        file: f.str(at('build', 'dockerfile')) || undefined,
        target: f.str(at('build', 'target')),
        buildArgs: f.has(at('build', 'args')) ? mapOf(f, at('build', 'args')) : undefined,
      };
      for (const k of ['context', 'dockerfile', 'target', 'args']) if (f.has(at('build', k))) f.mark(at('build', k));
      const hasOptions = Object.values(build).some(v => v !== undefined);
      props.image = code(`Image.fromAsset(path.join(SOURCE, ${quote(f.str(at('build', 'context')) ?? '.')})${hasOptions ? `, ${render(build, '    ')}` : ''})`);
    }
    if (f.kind(at('build')) === 'scalar') f.mark(at('build'));
    if (f.has(at('image'))) f.mark(at('image'));
  } else if (f.has(at('image'))) {
    // x-aws-pull_credentials: the ARN of a Secrets Manager secret with the registry's user name and password.
    const pull = f.str(at('x-aws-pull_credentials'));
    let image = f.text(at('image'))!;
    const unset = f.raw(at('image')) !== undefined ? ` (it reads ${f.raw(at('image'))}; set the variables in .env)` : '';
    if (image === '') throw f.error(at('image'), `image is empty${unset}`);
    f.mark(at('image'));
    if (image.endsWith(':')) {
      // An unset tag variable (`app:${TAG}`): Compose would fail to pull; the latest image is the nearest.
      image = image.slice(0, -1);
      todo(at('image'), `the tag is empty${unset}: ${image} pulls the latest image; pin the version`);
    }
    if (!isImageReference(image)) throw f.error(at('image'), `image reference ${JSON.stringify(image)} is not one Docker can pull${unset}`);
    props.image = registryImage(image, pull === undefined ? undefined : secretCode(pull, `${pascal(s.name)}PullCredentials`));
    if (pull !== undefined) f.mark(at('x-aws-pull_credentials'));
  } else {
    throw f.error(at(), `service ${s.name} has neither image nor build: expected one`);
  }
}

/** Docker's ECS integration ran x86_64 unless the service's platform said otherwise; cdk-shipyard would pick ARM64. */
export function mapPlatform(c: ServiceMapping): void {
  const { f, at, props } = c;
  // Docker's ECS integration ran x86_64 unless the service's platform said otherwise; cdk-shipyard would pick ARM64.
  const platform = f.str(at('platform'));
  props.cpuArchitecture = code(`ecs.CpuArchitecture.${platform && /arm64|aarch64/.test(platform) ? 'ARM64' : 'X86_64'}`);
  if (platform !== undefined) f.mark(at('platform'));
}

/** Ports: the container port, the shared listener's path for a second web service, the NLB of a network service. */
export function mapPorts(c: ServiceMapping): void {
  const { f, s, at, props, todo } = c;
  if (s.port !== undefined && isService(s)) props.containerPort = s.port;
  if (s.why) todo(s.construct === 'StandaloneTask' ? at() : f.has(at('ports')) ? at('ports') : at(), s.why);
  // Compose published each web service on a port of its own; here they share the load balancer's
  // listener, where the first takes every path and each other one needs a condition of its own.
  const webServices = c.file.services.filter(x => x.construct === 'WebService');
  if (s.construct === 'WebService' && webServices[0] !== s) {
    props.routing = { pathPatterns: [`/${s.name}`, `/${s.name}/*`] };
    todo(at('ports'), `${webServices[0].name} takes every path of the shared load balancer: give ${s.name} the host name (routing.hostHeaders) or path it answers to`);
  }
  if (f.has(at('ports'))) {
    const ports = portsOf(f, at('ports'));
    f.mark(at('ports'));
    for (let i = 0; i < f.length(at('ports')); i++) {
      if (f.kind(at('ports', i)) === 'scalar' && /^[\s:]*(\/(tcp|udp))?$/.test(f.text(at('ports', i))!)) {
        todo(at('ports', i), `${f.raw(at('ports', i)) ?? 'the entry'} is empty: the variables it reads were not set at import; give the port and import again`);
      }
    }
    if (s.construct === 'NetworkService') {
      // A network load balancer of the service's own, reached from the VPC: Compose files publish
      // database and cache ports for local tools, which should not face the internet.
      const first = ports.published[0];
      props.listenerPort = first.published;
      if (first.protocol === 'udp') props.protocol = code('elbv2.Protocol.UDP');
      todo(at('ports'), `port ${first.published} is reachable from the VPC only: set internetFacing: true if clients outside it must reach ${s.name}`);
    }
    if (s.hostOnly.length > 0 && s.construct !== 'BackendService') {
      todo(at('ports'), `the ports bound to the host's loopback (${s.hostOnly.join(', ')}) stay private: reach them with ECS Exec or from the VPC`);
    }
    if (ports.all > 1) {
      todo(at('ports'), s.construct === 'NetworkService'
        ? 'the service has more than one port: the first is the listener; give the others as additionalListeners'
        : 'the service has more than one port: the first is the container port; route the others with additionalRoutes');
    } else if (ports.udp && s.construct !== 'NetworkService') {
      todo(at('ports'), 'a UDP port: make the service a NetworkService with protocol UDP');
    }
  }
  if (f.has(at('expose'))) {
    f.mark(at('expose'));
    if (f.length(at('expose')) > 1) todo(at('expose'), 'more than one exposed port: a BackendService publishes one');
  }
}

/** What the image needs: its own user for a port below 1024 or an image that starts as root; one task for a store that keeps data. */
export function mapImageNeeds(c: ServiceMapping): void {
  const { f, s, at, props, todo } = c;
  if (s.port !== undefined && s.port < 1024 && isService(s)) props.containerSecurity = { imageUser: true, readOnlyRootFilesystem: false };
  // Images whose documentation has them start as root, or write outside /tmp: the baseline would stop them.
  if (s.known?.needsRoot && f.has(at('image')) && !f.has(at('user')) && !f.has(at('read_only'))) {
    props.containerSecurity = { imageUser: true, readOnlyRootFilesystem: false };
    todo(at('image'), `the ${s.known.what} image starts as root (or writes outside /tmp): it runs with its own user and a writable root, not the baseline's user 1000 and read-only root`);
  }
  if (s.known?.stateful && isService(s)) {
    props.desiredCount = 1;
    props.deployment = code('Deployment.rolling({ minHealthyPercent: 0, maxHealthyPercent: 100 })');
    todo(at('image'), `${s.known.what} keeps data: it runs as one task, stopped before its replacement starts, with its named volumes on EFS (retained)`
      + (s.known.managed ? `; in production move the data to ${s.known.managed} and give the services its endpoint` : ''));
  }
}

/** Command, entry point and working directory. */
export function mapCommand(c: ServiceMapping): void {
  const { f, at, props, todo } = c;
  const words = (field: string): string[] | undefined => {
    const list = f.strings(at(field));
    if (!list) return undefined;
    const { words: split, quoted } = commandWords(f.kind(at(field)) === 'list', list);
    if (quoted) todo(at(field), QUOTED_COMMAND);
    else f.mark(at(field));
    return split;
  };
  props.command = words('command');
  props.entryPoint = words('entrypoint');
  props.workingDirectory = f.str(at('working_dir'));
  if (props.workingDirectory !== undefined) f.mark(at('working_dir'));
}
