/** A user as the read side shows it: the seed's USER_DATA columns plus the id and applied version. */
export interface UserView {
  userId: string;
  name: string;
  dateRegister: string;
  version: number;
  status: 'active' | 'deregistered';
}
