// Which profile a resource is checked against: one of ours named in meta.profile, else the
// first rule of profile-map.json that matches (shared by validate.mjs and conformance.mjs).

/** The canonical URL of the profile for `resource`, or undefined for the base definition. */
export function chooseProfileFrom(resource, profiles, profileMap) {
  for (const url of resource.meta?.profile ?? []) {
    if (profiles.has(url)) return url;
  }
  for (const rule of profileMap.rules) {
    if (rule.resourceType !== resource.resourceType) continue;
    if (rule.event !== undefined) {
      // The first MessageHeader anywhere, so a misplaced header still selects the profile
      // whose invariants then report it.
      const header = (resource.entry ?? []).map((e) => e?.resource).find((r) => r?.resourceType === 'MessageHeader');
      const coding = header?.eventCoding;
      if (coding?.system !== rule.system || coding?.code !== rule.event) continue;
    }
    if (rule.bundleType !== undefined && resource.type !== rule.bundleType) continue;
    if (rule.code !== undefined) {
      const codings = resource.code?.coding ?? [];
      if (!codings.some((c) => c.system === rule.system && c.code === rule.code)) continue;
    }
    return profileMap.base + rule.profile;
  }
  return undefined;
}
