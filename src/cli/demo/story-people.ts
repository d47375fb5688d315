/** A person in the demo's story, as marketing first captures them in HubSpot. */
export interface StoryPerson {
  name: string;
  email: string;
  /** HubSpot contact properties at sign-up. */
  signUp: Record<string, string>;
}

/**
 * Scored by the example config's rules: company 10, "Director" 15, target industry 15, 50-5000 employees
 * 15, a demo request in the last 30 days 30; MQL threshold 50; the gate also requires a company.
 */
export const DANA: StoryPerson = {
  name: 'Dana Reyes',
  email: 'dana.reyes@brightwave-analytics.com',
  // 10 + 15 + 15 = 40: below the threshold until she asks for a demo (+30).
  signUp: {
    email: 'dana.reyes@brightwave-analytics.com',
    firstname: 'Dana',
    lastname: 'Reyes',
    company: 'Brightwave Analytics',
    jobtitle: 'Director of Marketing',
    industry: 'Software',
    hs_analytics_num_page_views: '4',
  },
};

export const LEE: StoryPerson = {
  name: 'Lee Park',
  email: 'lee.park@orbitfreight.com',
  // 15 + 15 + 15 + 30 = 75, but no company: the handoff gate keeps Lee with marketing.
  signUp: {
    email: 'lee.park@orbitfreight.com',
    firstname: 'Lee',
    lastname: 'Park',
    jobtitle: 'Director of Operations',
    industry: 'Financial Services',
    numemployees: '800',
    hs_analytics_num_page_views: '7',
  },
};

export const SAM: StoryPerson = {
  name: 'Sam Ortiz',
  email: 'sam.ortiz@tallgrass-capital.com',
  // 10 + 15 + 15 + 15 + 30 = 85.
  signUp: {
    email: 'sam.ortiz@tallgrass-capital.com',
    firstname: 'Sam',
    lastname: 'Ortiz',
    company: 'Tallgrass Capital',
    jobtitle: 'Finance Director',
    industry: 'Financial Services',
    numemployees: '120',
    hs_analytics_num_page_views: '3',
  },
};

export const REJECTION_REASON = 'No budget this year';
